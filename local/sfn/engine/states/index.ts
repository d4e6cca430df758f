import { choiceHandler } from './choice';
import { failHandler } from './fail';
import { mapHandler } from './map';
import { parallelHandler } from './parallel';
import { passHandler } from './pass';
import type { StateHandlers } from './state-handler';
import { succeedHandler } from './succeed';
import { taskHandler } from './task';
import { waitHandler } from './wait';

/** The handler of each state type. */
export const STATE_HANDLERS: StateHandlers = {
  Pass: passHandler,
  Task: taskHandler,
  Choice: choiceHandler,
  Wait: waitHandler,
  Succeed: succeedHandler,
  Fail: failHandler,
  Parallel: parallelHandler,
  Map: mapHandler,
};
