export type NotificationState = NotificationPermission | 'unsupported';

/**
 * Whether the service worker may show a system notification when a request arrives while Disco
 * is not on screen. Only the person can allow it, from a button they press.
 */
export class Notifications {
  state = $state<NotificationState>(read());

  constructor() {
    // The person may change it in the browser's site settings while the page is open.
    void navigator.permissions
      ?.query({ name: 'notifications' })
      .then((status) => {
        status.onchange = () => (this.state = read());
      })
      .catch(() => undefined);
  }

  async request(): Promise<void> {
    if (this.state === 'unsupported') return;
    this.state = await Notification.requestPermission();
  }
}

function read(): NotificationState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}
