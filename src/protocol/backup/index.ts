export * from './format.js';
export { sealBackup } from './seal_backup.js';
export { openBackup } from './open_backup.js';
export { exportBackup } from './export_backup.js';
export { restoreBackup } from './restore_backup.js';
export { NOT_BACKED_UP } from './collections.js';
