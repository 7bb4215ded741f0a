// The bottom layer: the kernel context and its scratch. Everything else imports from here.
export {
  KernelContext,
  contextOf,
  createKernelContext,
  reserveScratch,
  type Backend,
  type ChosenBackend,
  type ContextOptions,
  type ContextSource,
} from './context.js';
export { Scratch } from './scratch.js';
