;; Causal grouped-query attention in WebAssembly SIMD, forward and backward, same semantics as
;; src/lib/ref/attention.ts. Per (batch b, head h) it is three GEMMs around a row softmax, using
;; the matmul module's strided GEMM and the softmax module's row softmax (both imported), in row
;; blocks of RB queries so the causal upper triangle is mostly skipped:
;;   S = Q_h·K_kvhᵀ (T,T) → P = softmax(scale·S, causal + key mask) → out_h = P·V_kvh
;; Backward: dP = dout_h·Vᵀ, dS = P⊙(dP − rowsum(P⊙dP))·scale, dq += dS·K, dk += dSᵀ·Q, dv += Pᵀ·dout.
;; Pointers are byte offsets into the shared memory; legend B, T, NH, NKV, HS as in the reference.
(module
  (import "env" "memory" (memory 1))
  ;; gemm(c, a, b, init, M, Nc, K, a_rs, a_ks, b_ks, c_rs, i_rs), strides in elements (matmul.wat)
  (import "matmul" "gemm" (func $gemm (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))

  ;; softmax_row(r, mask, L, T, scale): masked causal softmax of one score row in place (softmax.wat)
  (import "softmax" "softmax_row" (func $softmax_row (param i32 i32 i32 i32 f32)))

  (func $hsum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; queries per GEMM row block: the diagonal blocks waste ≈ RB/2 columns per row
  (global $RB i32 (i32.const 16))

  ;; dst(HS,T) = the (T,HS) rows of one kv head, src row s at src + s·rs (rs in elements).
  (func $transpose_rows (param $dst i32) (param $src i32) (param $T i32) (param $HS i32) (param $rs i32)
    (local $s i32) (local $i i32) (local $sp i32) (local $dp i32)
    (loop $rows
      (local.set $sp (i32.add (local.get $src) (i32.shl (i32.mul (local.get $s) (local.get $rs)) (i32.const 2))))
      (local.set $dp (i32.add (local.get $dst) (i32.shl (local.get $s) (i32.const 2))))
      (local.set $i (i32.const 0))
      (loop $cols
        (f32.store (local.get $dp) (f32.load (local.get $sp)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
        (local.set $dp (i32.add (local.get $dp) (i32.shl (local.get $T) (i32.const 2))))
        (br_if $cols (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $HS))))
      (br_if $rows (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 1))) (local.get $T)))))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_u (local.get $a) (local.get $b))))

  ;; out(B,T,NH,HS), att(B,NH,T,T) ← q(B,T,NH,HS), k, v(B,T,NKV,HS), keyValid(B,T) u32.
  ;; kt: scratch of HS·T floats (one kv head's keys, transposed).
  (func (export "attention_forward")
    (param $out i32) (param $att i32) (param $q i32) (param $k i32) (param $v i32) (param $valid i32)
    (param $kt i32) (param $B i32) (param $T i32) (param $NH i32) (param $NKV i32) (param $HS i32)
    (local $b i32) (local $kvh i32) (local $g i32) (local $h i32) (local $group i32)
    (local $t i32) (local $t0 i32) (local $rows i32) (local $P i32) (local $scale f32)
    (local $kvbase i32) (local $qstride i32)
    (local.set $scale (f32.div (f32.const 1) (f32.sqrt (f32.convert_i32_u (local.get $HS)))))
    (local.set $group (i32.div_u (local.get $NH) (local.get $NKV)))
    (local.set $qstride (i32.mul (local.get $NH) (local.get $HS)))
    (loop $lb
      (local.set $kvh (i32.const 0))
      (loop $lkv
        ;; element offset of (b, s=0, kvh, 0) in k and v
        (local.set $kvbase (i32.mul (i32.add (i32.mul (i32.mul (local.get $b) (local.get $T)) (local.get $NKV)) (local.get $kvh)) (local.get $HS)))
        (call $transpose_rows (local.get $kt) (i32.add (local.get $k) (i32.shl (local.get $kvbase) (i32.const 2)))
          (local.get $T) (local.get $HS) (i32.mul (local.get $NKV) (local.get $HS)))
        (local.set $g (i32.const 0))
        (loop $lg
          (local.set $h (i32.add (i32.mul (local.get $kvh) (local.get $group)) (local.get $g)))
          ;; P = att(b,h,:,:)
          (local.set $P (i32.add (local.get $att)
            (i32.shl (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $NH)) (local.get $h)) (local.get $T)) (local.get $T)) (i32.const 2))))
          ;; S rows t0..t0+rows, columns 0..t0+rows: S = Q·Kᵀ
          (local.set $t0 (i32.const 0))
          (loop $ls
            (local.set $rows (call $min (global.get $RB) (i32.sub (local.get $T) (local.get $t0))))
            (call $gemm
              (i32.add (local.get $P) (i32.shl (i32.mul (local.get $t0) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $q) (i32.shl (i32.add (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t0)) (local.get $NH)) (local.get $HS)) (i32.mul (local.get $h) (local.get $HS))) (i32.const 2)))
              (local.get $kt) (i32.const 0)
              (local.get $rows) (i32.add (local.get $t0) (local.get $rows)) (local.get $HS)
              (local.get $qstride) (i32.const 1) (local.get $T) (local.get $T) (i32.const 0))
            (br_if $ls (i32.lt_u (local.tee $t0 (i32.add (local.get $t0) (global.get $RB))) (local.get $T))))
          ;; softmax each row over its t + 1 causal positions
          (local.set $t (i32.const 0))
          (loop $lt
            (call $softmax_row
              (i32.add (local.get $P) (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $valid) (i32.shl (i32.mul (local.get $b) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $t) (i32.const 1)) (local.get $T) (local.get $scale))
            (br_if $lt (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $T))))
          ;; out rows t0..t0+rows = P[rows, 0..t0+rows) · V[0..t0+rows, :]
          (local.set $t0 (i32.const 0))
          (loop $lo
            (local.set $rows (call $min (global.get $RB) (i32.sub (local.get $T) (local.get $t0))))
            (call $gemm
              (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t0)) (local.get $NH)) (local.get $HS)) (i32.mul (local.get $h) (local.get $HS))) (i32.const 2)))
              (i32.add (local.get $P) (i32.shl (i32.mul (local.get $t0) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $v) (i32.shl (local.get $kvbase) (i32.const 2)))
              (i32.const 0)
              (local.get $rows) (local.get $HS) (i32.add (local.get $t0) (local.get $rows))
              (local.get $T) (i32.const 1) (i32.mul (local.get $NKV) (local.get $HS)) (local.get $qstride) (i32.const 0))
            (br_if $lo (i32.lt_u (local.tee $t0 (i32.add (local.get $t0) (global.get $RB))) (local.get $T))))
          (br_if $lg (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (local.get $group))))
        (br_if $lkv (i32.lt_u (local.tee $kvh (i32.add (local.get $kvh) (i32.const 1))) (local.get $NKV))))
      (br_if $lb (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $B)))))

  ;; One row of dS in place over dP: d[s] ← P[s]·(d[s] − Σ_{s'≤t} P[s']·d[s'])·scale for s < L,
  ;; d[s] ← 0 for L ≤ s < T (so the GEMMs that read past the diagonal see zeros).
  (func $dsoftmax_row (param $d i32) (param $p i32) (param $L i32) (param $T i32) (param $scale f32)
    (local $s i32) (local $vdot v128) (local $dot f32) (local $o i32)
    (block $d1 (loop $l1
      (br_if $d1 (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $L)))
      (local.set $o (i32.shl (local.get $s) (i32.const 2)))
      (local.set $vdot (f32x4.add (local.get $vdot)
        (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $o))) (v128.load (i32.add (local.get $d) (local.get $o))))))
      (local.set $s (i32.add (local.get $s) (i32.const 4)))
      (br $l1)))
    (local.set $dot (call $hsum (local.get $vdot)))
    (block $d1t (loop $l1t
      (br_if $d1t (i32.ge_u (local.get $s) (local.get $L)))
      (local.set $o (i32.shl (local.get $s) (i32.const 2)))
      (local.set $dot (f32.add (local.get $dot)
        (f32.mul (f32.load (i32.add (local.get $p) (local.get $o))) (f32.load (i32.add (local.get $d) (local.get $o))))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $l1t)))
    (local.set $s (i32.const 0))
    (block $d2 (loop $l2
      (br_if $d2 (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $L)))
      (local.set $o (i32.shl (local.get $s) (i32.const 2)))
      (v128.store (i32.add (local.get $d) (local.get $o))
        (f32x4.mul
          (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $o)))
                     (f32x4.sub (v128.load (i32.add (local.get $d) (local.get $o))) (f32x4.splat (local.get $dot))))
          (f32x4.splat (local.get $scale))))
      (local.set $s (i32.add (local.get $s) (i32.const 4)))
      (br $l2)))
    (block $d2t (loop $l2t
      (br_if $d2t (i32.ge_u (local.get $s) (local.get $L)))
      (local.set $o (i32.shl (local.get $s) (i32.const 2)))
      (f32.store (i32.add (local.get $d) (local.get $o))
        (f32.mul
          (f32.mul (f32.load (i32.add (local.get $p) (local.get $o)))
                   (f32.sub (f32.load (i32.add (local.get $d) (local.get $o))) (local.get $dot)))
          (local.get $scale)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $l2t)))
    (memory.fill
      (i32.add (local.get $d) (i32.shl (local.get $L) (i32.const 2)))
      (i32.const 0)
      (i32.shl (i32.sub (local.get $T) (local.get $L)) (i32.const 2))))

  ;; dq(B,T,NH,HS), dk, dv(B,T,NKV,HS) += gradients, given dout, q, k, v and att from forward.
  ;; Scratch: vt (HS·T floats, one kv head's values transposed), ds (T·T floats).
  (func (export "attention_backward")
    (param $dq i32) (param $dk i32) (param $dv i32) (param $dout i32)
    (param $q i32) (param $k i32) (param $v i32) (param $att i32)
    (param $vt i32) (param $ds i32)
    (param $B i32) (param $T i32) (param $NH i32) (param $NKV i32) (param $HS i32)
    (local $b i32) (local $kvh i32) (local $g i32) (local $h i32) (local $group i32)
    (local $t i32) (local $t0 i32) (local $rows i32) (local $P i32) (local $scale f32)
    (local $kvbase i32) (local $qstride i32) (local $kvstride i32) (local $qrow0 i32) (local $diag i32)
    (local.set $scale (f32.div (f32.const 1) (f32.sqrt (f32.convert_i32_u (local.get $HS)))))
    (local.set $group (i32.div_u (local.get $NH) (local.get $NKV)))
    (local.set $qstride (i32.mul (local.get $NH) (local.get $HS)))
    (local.set $kvstride (i32.mul (local.get $NKV) (local.get $HS)))
    (loop $lb
      (local.set $kvh (i32.const 0))
      (loop $lkv
        (local.set $kvbase (i32.mul (i32.add (i32.mul (i32.mul (local.get $b) (local.get $T)) (local.get $NKV)) (local.get $kvh)) (local.get $HS)))
        (call $transpose_rows (local.get $vt) (i32.add (local.get $v) (i32.shl (local.get $kvbase) (i32.const 2)))
          (local.get $T) (local.get $HS) (local.get $kvstride))
        (local.set $g (i32.const 0))
        (loop $lg
          (local.set $h (i32.add (i32.mul (local.get $kvh) (local.get $group)) (local.get $g)))
          (local.set $P (i32.add (local.get $att)
            (i32.shl (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $NH)) (local.get $h)) (local.get $T)) (local.get $T)) (i32.const 2))))
          ;; element offset of (b, t=0, h, 0) in q, dq and dout
          (local.set $qrow0 (i32.add (i32.mul (i32.mul (local.get $b) (local.get $T)) (local.get $qstride)) (i32.mul (local.get $h) (local.get $HS))))
          ;; dP = dout_h · Vᵀ into ds, by row blocks (columns up to the block's last query)
          (local.set $t0 (i32.const 0))
          (loop $lp
            (local.set $rows (call $min (global.get $RB) (i32.sub (local.get $T) (local.get $t0))))
            (call $gemm
              (i32.add (local.get $ds) (i32.shl (i32.mul (local.get $t0) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $dout) (i32.shl (i32.add (local.get $qrow0) (i32.mul (local.get $t0) (local.get $qstride))) (i32.const 2)))
              (local.get $vt) (i32.const 0)
              (local.get $rows) (i32.add (local.get $t0) (local.get $rows)) (local.get $HS)
              (local.get $qstride) (i32.const 1) (local.get $T) (local.get $T) (i32.const 0))
            (br_if $lp (i32.lt_u (local.tee $t0 (i32.add (local.get $t0) (global.get $RB))) (local.get $T))))
          ;; dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale, zero above the diagonal
          (local.set $t (i32.const 0))
          (loop $lt
            (call $dsoftmax_row
              (i32.add (local.get $ds) (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $P) (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $t) (i32.const 1)) (local.get $T) (local.get $scale))
            (br_if $lt (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $T))))
          (local.set $t0 (i32.const 0))
          (loop $lq
            (local.set $rows (call $min (global.get $RB) (i32.sub (local.get $T) (local.get $t0))))
            ;; dq rows t0.. += dS[rows, 0..t0+rows) · K[0..t0+rows, :]
            (call $gemm
              (i32.add (local.get $dq) (i32.shl (i32.add (local.get $qrow0) (i32.mul (local.get $t0) (local.get $qstride))) (i32.const 2)))
              (i32.add (local.get $ds) (i32.shl (i32.mul (local.get $t0) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $k) (i32.shl (local.get $kvbase) (i32.const 2)))
              (i32.add (local.get $dq) (i32.shl (i32.add (local.get $qrow0) (i32.mul (local.get $t0) (local.get $qstride))) (i32.const 2)))
              (local.get $rows) (local.get $HS) (i32.add (local.get $t0) (local.get $rows))
              (local.get $T) (i32.const 1) (local.get $kvstride) (local.get $qstride) (local.get $qstride))
            ;; keys s = t0.. only receive from queries t ≥ s: reduction over t ∈ [t0, T)
            ;; element offset of dS[t0, t0] / P[t0, t0]
            (local.set $diag (i32.shl (i32.add (i32.mul (local.get $t0) (local.get $T)) (local.get $t0)) (i32.const 2)))
            ;; dk rows s += Σ_t dS[t, s] · q_t   (A = dSᵀ: a_rs = 1, a_ks = T)
            (call $gemm
              (i32.add (local.get $dk) (i32.shl (i32.add (local.get $kvbase) (i32.mul (local.get $t0) (local.get $kvstride))) (i32.const 2)))
              (i32.add (local.get $ds) (local.get $diag))
              (i32.add (local.get $q) (i32.shl (i32.add (local.get $qrow0) (i32.mul (local.get $t0) (local.get $qstride))) (i32.const 2)))
              (i32.add (local.get $dk) (i32.shl (i32.add (local.get $kvbase) (i32.mul (local.get $t0) (local.get $kvstride))) (i32.const 2)))
              (local.get $rows) (local.get $HS) (i32.sub (local.get $T) (local.get $t0))
              (i32.const 1) (local.get $T) (local.get $qstride) (local.get $kvstride) (local.get $kvstride))
            ;; dv rows s += Σ_t P[t, s] · dout_t
            (call $gemm
              (i32.add (local.get $dv) (i32.shl (i32.add (local.get $kvbase) (i32.mul (local.get $t0) (local.get $kvstride))) (i32.const 2)))
              (i32.add (local.get $P) (local.get $diag))
              (i32.add (local.get $dout) (i32.shl (i32.add (local.get $qrow0) (i32.mul (local.get $t0) (local.get $qstride))) (i32.const 2)))
              (i32.add (local.get $dv) (i32.shl (i32.add (local.get $kvbase) (i32.mul (local.get $t0) (local.get $kvstride))) (i32.const 2)))
              (local.get $rows) (local.get $HS) (i32.sub (local.get $T) (local.get $t0))
              (i32.const 1) (local.get $T) (local.get $qstride) (local.get $kvstride) (local.get $kvstride))
            (br_if $lq (i32.lt_u (local.tee $t0 (i32.add (local.get $t0) (global.get $RB))) (local.get $T))))
          (br_if $lg (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (local.get $group))))
        (br_if $lkv (i32.lt_u (local.tee $kvh (i32.add (local.get $kvh) (i32.const 1))) (local.get $NKV))))
      (br_if $lb (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $B)))))
)
