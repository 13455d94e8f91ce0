/**
 * The optimizer constants of tfjs' own optimizers, as the batched trainer uses them: Adam β1, β2;
 * RMSprop decay; momentum; and ε, tfjs' epsilon for float32 backends (cpu, wasm), which is what
 * the fused kernel computes in.
 */
export const OPTIMIZER_CONSTANTS = { beta1: 0.9, beta2: 0.999, rmsDecay: 0.9, momentum: 0.9, epsilon: 1e-7 } as const;
