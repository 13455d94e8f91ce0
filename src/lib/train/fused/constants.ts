/**
 * The optimizer constants of tfjs' own optimizers that no hyperparameter sets, as the batched
 * trainer uses them: RMSprop decay, and ε, tfjs' epsilon for float32 backends (cpu, wasm), which is
 * what the fused kernel computes in. Momentum and Adam's betas come from the model (ModelSpec).
 */
export const OPTIMIZER_CONSTANTS = { rmsDecay: 0.9, epsilon: 1e-7 } as const;
