// Dense f32 matrix products with WebAssembly SIMD (4 lanes): C = bias + A·B, where A may be read
// transposed through its strides (gemm), and C = A·Bᵀ as dot products of rows (gemmNT). Register tiles of 4 rows × 8 columns; a ragged right edge
// (N not a multiple of 4) is computed on a full vector and only its valid lanes are stored, so
// B and bias must have 16 bytes readable after their last element (the layout pads every region).

@inline function madd(c: v128, a: v128, b: v128): v128 {
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Stores the first `n` (1..4) lanes of v at p. */
@inline function storePartial(p: usize, v: v128, n: i32): void {
  if (n == 4) { v128.store(p, v); return; }
  v128.store32_lane(p, v, 0);
  if (n > 1) v128.store32_lane(p, v, 1, 4);
  if (n > 2) v128.store32_lane(p, v, 2, 8);
}

/** 4 rows × 8 columns of C. */
function tile4x8(c: usize, ldcB: usize, a: usize, aRowB: usize, aKB: usize, b: usize, ldbB: usize, bias: usize, kd: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  if (bias) { c00 = v128.load(bias); c01 = v128.load(bias, 16); }
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  let pa = a;
  let pb = b;
  const a2 = aRowB << 1;
  const a3 = a2 + aRowB;
  for (let k = 0; k < kd; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = madd(c00, av, b0); c01 = madd(c01, av, b1);
    av = v128.load32_splat(pa + aRowB);
    c10 = madd(c10, av, b0); c11 = madd(c11, av, b1);
    av = v128.load32_splat(pa + a2);
    c20 = madd(c20, av, b0); c21 = madd(c21, av, b1);
    av = v128.load32_splat(pa + a3);
    c30 = madd(c30, av, b0); c31 = madd(c31, av, b1);
    pa += aKB;
    pb += ldbB;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  c += ldcB; v128.store(c, c10); v128.store(c, c11, 16);
  c += ldcB; v128.store(c, c20); v128.store(c, c21, 16);
  c += ldcB; v128.store(c, c30); v128.store(c, c31, 16);
}

/** 4 rows × `n` (1..4) columns of C. */
function tile4x4(c: usize, ldcB: usize, a: usize, aRowB: usize, aKB: usize, b: usize, ldbB: usize, bias: usize, kd: i32, n: i32): void {
  let c0 = bias ? v128.load(bias) : f32x4.splat(0);
  let c1 = c0, c2 = c0, c3 = c0;
  let pa = a;
  let pb = b;
  const a2 = aRowB << 1;
  const a3 = a2 + aRowB;
  for (let k = 0; k < kd; k++) {
    const b0 = v128.load(pb);
    c0 = madd(c0, v128.load32_splat(pa), b0);
    c1 = madd(c1, v128.load32_splat(pa + aRowB), b0);
    c2 = madd(c2, v128.load32_splat(pa + a2), b0);
    c3 = madd(c3, v128.load32_splat(pa + a3), b0);
    pa += aKB;
    pb += ldbB;
  }
  storePartial(c, c0, n);
  storePartial(c + ldcB, c1, n);
  storePartial(c + (ldcB << 1), c2, n);
  storePartial(c + 3 * ldcB, c3, n);
}

/** 1 row × 8 columns of C. */
function tile1x8(c: usize, a: usize, aKB: usize, b: usize, ldbB: usize, bias: usize, kd: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  if (bias) { c0 = v128.load(bias); c1 = v128.load(bias, 16); }
  let pa = a;
  let pb = b;
  for (let k = 0; k < kd; k++) {
    const av = v128.load32_splat(pa);
    c0 = madd(c0, av, v128.load(pb));
    c1 = madd(c1, av, v128.load(pb, 16));
    pa += aKB;
    pb += ldbB;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

/** 1 row × `n` (1..4) columns of C. */
function tile1x4(c: usize, a: usize, aKB: usize, b: usize, ldbB: usize, bias: usize, kd: i32, n: i32): void {
  let c0 = bias ? v128.load(bias) : f32x4.splat(0);
  let pa = a;
  let pb = b;
  for (let k = 0; k < kd; k++) {
    c0 = madd(c0, v128.load32_splat(pa), v128.load(pb));
    pa += aKB;
    pb += ldbB;
  }
  storePartial(c, c0, n);
}

/**
 * C[m, n] = bias[n] + Σ_k A(m, k)·B[k, n] for m < M, n < N, k < kd.
 * A(m, k) is the f32 at a + 4·(m·aRow + k·aK): (aRow, aK) = (lda, 1) reads A [M, kd] row-major,
 * (1, lda) reads Aᵀ of a row-major [kd, lda] matrix. B: [kd, N] with row stride ldb; C: row
 * stride ldc; bias: N floats, or 0 for none. Strides in floats.
 */
export function gemm(c: usize, ldc: i32, a: usize, aRow: i32, aK: i32, b: usize, ldb: i32, bias: usize, M: i32, N: i32, kd: i32): void {
  const aRowB = <usize>aRow << 2;
  const aKB = <usize>aK << 2;
  const ldbB = <usize>ldb << 2;
  const ldcB = <usize>ldc << 2;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const ai = a + <usize>i * aRowB;
    const ci = c + <usize>i * ldcB;
    let j = 0;
    for (; j + 8 <= N; j += 8) tile4x8(ci + (<usize>j << 2), ldcB, ai, aRowB, aKB, b + (<usize>j << 2), ldbB, bias ? bias + (<usize>j << 2) : 0, kd);
    for (; j < N; j += 4) tile4x4(ci + (<usize>j << 2), ldcB, ai, aRowB, aKB, b + (<usize>j << 2), ldbB, bias ? bias + (<usize>j << 2) : 0, kd, min(4, N - j));
  }
  for (; i < M; i++) {
    const ai = a + <usize>i * aRowB;
    const ci = c + <usize>i * ldcB;
    let j = 0;
    for (; j + 8 <= N; j += 8) tile1x8(ci + (<usize>j << 2), ai, aKB, b + (<usize>j << 2), ldbB, bias ? bias + (<usize>j << 2) : 0, kd);
    for (; j < N; j += 4) tile1x4(ci + (<usize>j << 2), ai, aKB, b + (<usize>j << 2), ldbB, bias ? bias + (<usize>j << 2) : 0, kd, min(4, N - j));
  }
}

/** The four lane sums of a, b, c, d as one vector [Σa, Σb, Σc, Σd]. */
@inline function sums4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/** Σ_k of the lane products of rows x and y over kd floats (the last kd % 4 one lane at a time). */
@inline function dotLanes(x: usize, y: usize, kd: i32): v128 {
  let acc = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= kd; k += 4) acc = madd(acc, v128.load(x + (<usize>k << 2)), v128.load(y + (<usize>k << 2)));
  for (; k < kd; k++) acc = madd(acc, v128.load32_zero(x + (<usize>k << 2)), v128.load32_zero(y + (<usize>k << 2)));
  return acc;
}

/** 2 rows of A × 4 rows of B: C[m, n..n+4) for m = 0, 1 (n + 4 <= N). */
function tileNT2x4(c: usize, ldcB: usize, a: usize, ldaB: usize, b: usize, ldbB: usize, kd: i32): void {
  let a0b0 = f32x4.splat(0), a0b1 = a0b0, a0b2 = a0b0, a0b3 = a0b0;
  let a1b0 = a0b0, a1b1 = a0b0, a1b2 = a0b0, a1b3 = a0b0;
  const b2 = ldbB << 1;
  const b3 = b2 + ldbB;
  let k = 0;
  for (; k + 4 <= kd; k += 4) {
    const o = <usize>k << 2;
    const x0 = v128.load(a + o);
    const x1 = v128.load(a + ldaB + o);
    let y = v128.load(b + o);
    a0b0 = madd(a0b0, x0, y); a1b0 = madd(a1b0, x1, y);
    y = v128.load(b + ldbB + o);
    a0b1 = madd(a0b1, x0, y); a1b1 = madd(a1b1, x1, y);
    y = v128.load(b + b2 + o);
    a0b2 = madd(a0b2, x0, y); a1b2 = madd(a1b2, x1, y);
    y = v128.load(b + b3 + o);
    a0b3 = madd(a0b3, x0, y); a1b3 = madd(a1b3, x1, y);
  }
  for (; k < kd; k++) {
    const o = <usize>k << 2;
    const x0 = v128.load32_zero(a + o);
    const x1 = v128.load32_zero(a + ldaB + o);
    let y = v128.load32_zero(b + o);
    a0b0 = madd(a0b0, x0, y); a1b0 = madd(a1b0, x1, y);
    y = v128.load32_zero(b + ldbB + o);
    a0b1 = madd(a0b1, x0, y); a1b1 = madd(a1b1, x1, y);
    y = v128.load32_zero(b + b2 + o);
    a0b2 = madd(a0b2, x0, y); a1b2 = madd(a1b2, x1, y);
    y = v128.load32_zero(b + b3 + o);
    a0b3 = madd(a0b3, x0, y); a1b3 = madd(a1b3, x1, y);
  }
  v128.store(c, sums4(a0b0, a0b1, a0b2, a0b3));
  v128.store(c + ldcB, sums4(a1b0, a1b1, a1b2, a1b3));
}

/**
 * C[m, n] = Σ_k A[m, k]·B[n, k]: A [M, kd] and B [N, kd] row-major (row strides lda, ldb), C row
 * stride ldc — the product with a transposed right operand (dz·Wᵀ in backprop) as dot products
 * along contiguous rows, so Wᵀ is never formed. Reads only inside A's and B's rows.
 */
export function gemmNT(c: usize, ldc: i32, a: usize, lda: i32, b: usize, ldb: i32, M: i32, N: i32, kd: i32): void {
  const ldaB = <usize>lda << 2;
  const ldbB = <usize>ldb << 2;
  const ldcB = <usize>ldc << 2;
  const nFull = N & ~3;
  let m = 0;
  for (; m + 2 <= M; m += 2) {
    const am = a + <usize>m * ldaB;
    const cm = c + <usize>m * ldcB;
    let n = 0;
    for (; n < nFull; n += 4) tileNT2x4(cm + (<usize>n << 2), ldcB, am, ldaB, b + <usize>n * ldbB, ldbB, kd);
    for (; n < N; n++) {
      const bn = b + <usize>n * ldbB;
      const s = sums4(dotLanes(am, bn, kd), dotLanes(am + ldaB, bn, kd), f32x4.splat(0), f32x4.splat(0));
      store<f32>(cm + (<usize>n << 2), f32x4.extract_lane(s, 0));
      store<f32>(cm + ldcB + (<usize>n << 2), f32x4.extract_lane(s, 1));
    }
  }
  for (; m < M; m++) {
    const am = a + <usize>m * ldaB;
    const cm = c + <usize>m * ldcB;
    for (let n = 0; n < N; n++) {
      const s = sums4(dotLanes(am, b + <usize>n * ldbB, kd), f32x4.splat(0), f32x4.splat(0), f32x4.splat(0));
      store<f32>(cm + (<usize>n << 2), f32x4.extract_lane(s, 0));
    }
  }
}
