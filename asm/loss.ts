// Task losses of a block of rows: softmax cross-entropy from logits (classification) and squared
// error (regression), with their gradient with respect to the outputs. Row sums are kept in f64.

/** Loss summed over the rows seen since the last reset, and rows predicted right. */
export let lossSum: f64 = 0;
export let correctSum: f64 = 0;

export function resetLoss(): void {
  lossSum = 0;
  correctSum = 0;
}

/**
 * Softmax cross-entropy of logits z [rows, k] against class indices (i32) at `labels`, written
 * out as the batched trainer does: shift by the row maximum, exp, sum, log-sum-exp minus the true
 * class's shifted logit. A row is right when that shifted logit is 0 (the maximum). With grad != 0
 * also writes dL/dz = (softmax − onehot)·invN into grad [rows, k].
 */
export function softmaxCrossEntropy(z: usize, labels: usize, rows: i32, k: i32, grad: usize, invN: f32): void {
  for (let r = 0; r < rows; r++) {
    const zr = z + (<usize>(r * k) << 2);
    let mx = load<f32>(zr);
    for (let j = 1; j < k; j++) mx = max(mx, load<f32>(zr + (<usize>j << 2)));
    let total: f64 = 0;
    for (let j = 0; j < k; j++) {
      const e = <f32>Math.exp(<f64>(load<f32>(zr + (<usize>j << 2)) - mx));
      if (grad) store<f32>(grad + (<usize>(r * k + j) << 2), e);
      total += <f64>e;
    }
    const sum = <f32>total;
    const y = load<i32>(labels + (<usize>r << 2));
    const trueLogit = load<f32>(zr + (<usize>y << 2)) - mx;
    lossSum += <f64>(<f32>Math.log(<f64>sum) - trueLogit);
    if (trueLogit >= 0) correctSum += 1;
    if (grad) {
      const gr = grad + (<usize>(r * k) << 2);
      for (let j = 0; j < k; j++) {
        const q = gr + (<usize>j << 2);
        store<f32>(q, (load<f32>(q) / sum - (j == y ? <f32>1 : <f32>0)) * invN);
      }
    }
  }
}

/** Squared error of predictions z [rows] against f32 targets; with grad != 0 writes 2·(z − y)·invN. */
export function squaredError(z: usize, targets: usize, rows: i32, grad: usize, invN: f32): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r << 2;
    const diff = load<f32>(z + o) - load<f32>(targets + o);
    lossSum += <f64>(diff * diff);
    if (grad) store<f32>(grad + o, diff * invN * <f32>2);
  }
}
