// Training and QAT on the engine (see trainer.ts and qat.ts).
export { MovingMinMax, DEFAULT_AVERAGING } from './observer';
export { pytorchInit, trainableParameters, type Reinitialized } from './params';
export { QatHooks, type QatOptions } from './qat';
export { fakeQuantSTE, type SteParams } from './ste';
export { Trainer, type OptimizerConfig, type PassHooks, type StepResult, type TrainerOptions } from './trainer';
