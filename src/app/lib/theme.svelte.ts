export type ThemeChoice = 'system' | 'light' | 'dark';

/**
 * Light and dark themes follow the system unless the person picks one. The choice is not a
 * secret, so it lives in localStorage, where the first paint can read it.
 */
export class Theme {
  choice = $state<ThemeChoice>(read());

  set(choice: ThemeChoice): void {
    this.choice = choice;
    localStorage.setItem('disco-theme', choice);
    apply(choice);
  }
}

function read(): ThemeChoice {
  const v = localStorage.getItem('disco-theme');
  const choice = v === 'light' || v === 'dark' ? v : 'system';
  apply(choice);
  return choice;
}

function apply(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}
