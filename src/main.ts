import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';

const target = document.getElementById('app');
if (target) {
  target.textContent = '';
  mount(App, { target });
}
