/// <reference lib="webworker" />
/**
 * The search worker: the study's strategy and pruner (GP fits, TPE densities, their pictures)
 * run here, off the page's thread; the page's sweep talks to it through remote-search.ts.
 */
import * as Comlink from 'comlink';
import { searchHost } from './search-host';

Comlink.expose(searchHost());
