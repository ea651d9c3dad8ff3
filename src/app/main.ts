import { mount } from 'svelte';
import './styles.css';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
// The static shell index.html paints first goes; the app renders the same screen in its place.
target.replaceChildren();
export default mount(App, { target });
