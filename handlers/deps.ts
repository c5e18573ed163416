// What handlers receive: the application context (use cases are reached through it).
import type { AppContext } from '../src/context.js';

export type HandlerDeps = AppContext;
