;; Softmax pieces in WebAssembly SIMD: a vectorised exp (Cephes expf polynomial), the masked causal
;; softmax of one attention score row (imported by attention.wat), and the two row kernels behind
;; cross-entropy and sequence log-probs over the vocabulary: row max + Σ exp (the log is taken in
;; JS, N of them) and dlogits[n,:] += coef[n]·softmax(logits[n,:]). Pointers are byte offsets.
;; Legend: N rows, V vocab, T time.
(module
  (import "env" "memory" (memory 1))

  ;; ---- exp on f32x4 (Cephes expf: range reduction by ln 2, degree-6 polynomial, rel. error ≈ 1e-7) ----
  ;; Inputs below −87.3 (including −inf) give exactly 0; this is what masked scores rely on.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $y v128) (local $under v128)
    (local.set $under (f32x4.lt (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
    (local.set $x (f32x4.min (v128.const f32x4 88.3 88.3 88.3 88.3)
                   (f32x4.max (v128.const f32x4 -87.3 -87.3 -87.3 -87.3) (local.get $x))))
    ;; n = round(x / ln 2); r = x − n·ln 2 (ln 2 split in two parts for precision)
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.add (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))))
    ;; y = 1 + r + r²·P(r)
    (local.set $y (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $y (f32x4.add
      (f32x4.add (f32x4.mul (f32x4.mul (local.get $y) (local.get $r)) (local.get $r)) (local.get $r))
      (v128.const f32x4 1 1 1 1)))
    ;; · 2^n, built in the exponent bits; n ∈ [−126, 127] after the clamp
    (local.set $y (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
    (v128.andnot (local.get $y) (local.get $under)))

  ;; Scalar exp through the vector code (tails), so every lane uses the same approximation.
  (func $exp1 (param $x f32) (result f32)
    (f32x4.extract_lane 0 (call $exp4 (f32x4.splat (local.get $x)))))

  (func $hmax (param $v v128) (result f32)
    (f32.max (f32.max (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.max (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
  (func $hsum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; One attention row in place: r[0..L) holds raw scores q·k_s, L = t + 1 attended positions.
  ;; r[s] ← softmax over s < L with keyValid[s] ≠ 0 of scale·r[s]; masked and s ≥ L (up to T) ← 0.
  ;; A row with no valid key becomes all zeros.
  (func $softmax_row (export "softmax_row") (param $r i32) (param $mask i32) (param $L i32) (param $T i32) (param $scale f32)
    (local $s i32) (local $p i32) (local $vmax v128) (local $max f32) (local $x f32)
    (local $vsum v128) (local $sum f32) (local $inv f32) (local $e v128)
    ;; pass 1: scale, mask to −inf, running max
    (local.set $vmax (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $s (i32.const 0))
    (block $d1 (loop $l1
      (br_if $d1 (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $L)))
      (local.set $p (i32.add (local.get $r) (i32.shl (local.get $s) (i32.const 2))))
      (local.set $e (v128.bitselect
        (f32x4.mul (v128.load (local.get $p)) (f32x4.splat (local.get $scale)))
        (v128.const f32x4 -inf -inf -inf -inf)
        (i32x4.ne (v128.load (i32.add (local.get $mask) (i32.shl (local.get $s) (i32.const 2)))) (v128.const i32x4 0 0 0 0))))
      (v128.store (local.get $p) (local.get $e))
      (local.set $vmax (f32x4.max (local.get $vmax) (local.get $e)))
      (local.set $s (i32.add (local.get $s) (i32.const 4)))
      (br $l1)))
    (local.set $max (call $hmax (local.get $vmax)))
    (block $d1t (loop $l1t
      (br_if $d1t (i32.ge_u (local.get $s) (local.get $L)))
      (local.set $p (i32.add (local.get $r) (i32.shl (local.get $s) (i32.const 2))))
      (local.set $x (select
        (f32.mul (f32.load (local.get $p)) (local.get $scale))
        (f32.const -inf)
        (i32.load (i32.add (local.get $mask) (i32.shl (local.get $s) (i32.const 2))))))
      (f32.store (local.get $p) (local.get $x))
      (local.set $max (f32.max (local.get $max) (local.get $x)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $l1t)))
    (if (f32.eq (local.get $max) (f32.const -inf))
      (then (local.set $L (i32.const 0))) ;; no valid key: the zero fill below covers the row
      (else
        ;; pass 2: e = exp(x − max), sum
        (local.set $s (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $L)))
          (local.set $p (i32.add (local.get $r) (i32.shl (local.get $s) (i32.const 2))))
          (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $p)) (f32x4.splat (local.get $max)))))
          (v128.store (local.get $p) (local.get $e))
          (local.set $vsum (f32x4.add (local.get $vsum) (local.get $e)))
          (local.set $s (i32.add (local.get $s) (i32.const 4)))
          (br $l2)))
        (local.set $sum (call $hsum (local.get $vsum)))
        (block $d2t (loop $l2t
          (br_if $d2t (i32.ge_u (local.get $s) (local.get $L)))
          (local.set $p (i32.add (local.get $r) (i32.shl (local.get $s) (i32.const 2))))
          (local.set $x (call $exp1 (f32.sub (f32.load (local.get $p)) (local.get $max))))
          (f32.store (local.get $p) (local.get $x))
          (local.set $sum (f32.add (local.get $sum) (local.get $x)))
          (local.set $s (i32.add (local.get $s) (i32.const 1)))
          (br $l2t)))
        ;; pass 3: normalise
        (local.set $inv (f32.div (f32.const 1) (local.get $sum)))
        (local.set $s (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $L)))
          (local.set $p (i32.add (local.get $r) (i32.shl (local.get $s) (i32.const 2))))
          (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (f32x4.splat (local.get $inv))))
          (local.set $s (i32.add (local.get $s) (i32.const 4)))
          (br $l3)))
        (block $d3t (loop $l3t
          (br_if $d3t (i32.ge_u (local.get $s) (local.get $L)))
          (local.set $p (i32.add (local.get $r) (i32.shl (local.get $s) (i32.const 2))))
          (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $inv)))
          (local.set $s (i32.add (local.get $s) (i32.const 1)))
          (br $l3t)))))
    ;; s ≥ L (future keys, or the whole row when nothing was valid) ← 0
    (memory.fill
      (i32.add (local.get $r) (i32.shl (local.get $L) (i32.const 2)))
      (i32.const 0)
      (i32.shl (i32.sub (local.get $T) (local.get $L)) (i32.const 2))))


  ;; For every row n of logits(N,V): mx[n] = max_v logits[n,v], sum[n] = Σ_v exp(logits[n,v] − mx[n]).
  ;; The caller forms lse = mx + log(sum) (N logs, in f64).
  (func (export "row_max_sumexp") (param $mx i32) (param $sum i32) (param $logits i32) (param $N i32) (param $V i32)
    (local $n i32) (local $r i32) (local $p i32) (local $end4 i32) (local $end i32)
    (local $vmax v128) (local $max f32) (local $vsum v128) (local $s f32) (local $x f32)
    (loop $rows
      (local.set $r (i32.add (local.get $logits) (i32.shl (i32.mul (local.get $n) (local.get $V)) (i32.const 2))))
      (local.set $end (i32.add (local.get $r) (i32.shl (local.get $V) (i32.const 2))))
      (local.set $end4 (i32.add (local.get $r) (i32.shl (i32.and (local.get $V) (i32.const -4)) (i32.const 2))))
      ;; max
      (local.set $vmax (v128.const f32x4 -inf -inf -inf -inf))
      (local.set $p (local.get $r))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $vmax (f32x4.max (local.get $vmax) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l1)))
      (local.set $max (call $hmax (local.get $vmax)))
      (block $d1t (loop $l1t
        (br_if $d1t (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $max (f32.max (local.get $max) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l1t)))
      ;; Σ exp(x − max)
      (local.set $vsum (v128.const f32x4 0 0 0 0))
      (local.set $p (local.get $r))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $vsum (f32x4.add (local.get $vsum)
          (call $exp4 (f32x4.sub (v128.load (local.get $p)) (f32x4.splat (local.get $max))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l2)))
      (local.set $s (call $hsum (local.get $vsum)))
      (block $d2t (loop $l2t
        (br_if $d2t (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f32.add (local.get $s) (call $exp1 (f32.sub (f32.load (local.get $p)) (local.get $max)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l2t)))
      (f32.store (i32.add (local.get $mx) (i32.shl (local.get $n) (i32.const 2))) (local.get $max))
      (f32.store (i32.add (local.get $sum) (i32.shl (local.get $n) (i32.const 2))) (local.get $s))
      (br_if $rows (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (local.get $N)))))

  ;; dlogits[n,:] += coef[n] · exp(logits[n,:] − lse[n]) for every row with coef[n] ≠ 0
  ;; (softmax from the saved log-sum-exp; the one-hot target term is added by the caller).
  (func (export "softmax_axpy_rows")
    (param $d i32) (param $logits i32) (param $lse i32) (param $coef i32) (param $N i32) (param $V i32)
    (local $n i32) (local $off i32) (local $x i32) (local $y i32) (local $end4 i32) (local $end i32)
    (local $g f32) (local $l f32) (local $vg v128) (local $vl v128)
    (loop $rows
      (local.set $g (f32.load (i32.add (local.get $coef) (i32.shl (local.get $n) (i32.const 2)))))
      (if (f32.ne (local.get $g) (f32.const 0))
        (then
          (local.set $l (f32.load (i32.add (local.get $lse) (i32.shl (local.get $n) (i32.const 2)))))
          (local.set $vg (f32x4.splat (local.get $g)))
          (local.set $vl (f32x4.splat (local.get $l)))
          (local.set $off (i32.shl (i32.mul (local.get $n) (local.get $V)) (i32.const 2)))
          (local.set $x (i32.add (local.get $logits) (local.get $off)))
          (local.set $y (i32.add (local.get $d) (local.get $off)))
          (local.set $end (i32.add (local.get $x) (i32.shl (local.get $V) (i32.const 2))))
          (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $V) (i32.const -4)) (i32.const 2))))
          (block $d4 (loop $l4
            (br_if $d4 (i32.ge_u (local.get $x) (local.get $end4)))
            (v128.store (local.get $y) (f32x4.add (v128.load (local.get $y))
              (f32x4.mul (local.get $vg) (call $exp4 (f32x4.sub (v128.load (local.get $x)) (local.get $vl))))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (br $l4)))
          (block $d1 (loop $l1
            (br_if $d1 (i32.ge_u (local.get $x) (local.get $end)))
            (f32.store (local.get $y) (f32.add (f32.load (local.get $y))
              (f32.mul (local.get $g) (call $exp1 (f32.sub (f32.load (local.get $x)) (local.get $l))))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (local.set $y (i32.add (local.get $y) (i32.const 4)))
            (br $l1)))))
      (br_if $rows (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (local.get $N)))))
)
