;; Attention of new queries over a KV cache in WebAssembly SIMD (incremental decoding), same
;; semantics as src/lib/ref/cached-attention.ts. Per query (b, tq) only slots s < L = min(S, qPos + 1)
;; are touched (the rest of the cache is empty or in the future); per head h (kv head h / (NH/NKV)):
;;   scores[s] = q·k_s (4 slots at a time, f32x4 over HS) → softmax_row (softmax.wat: scale, key mask,
;;   stable exp, no valid key → zeros) → out_h = Σ_s p_s·v_s (f32x4 over HS, masked slots skipped).
;; Pointers are byte offsets into the shared memory; legend B, Tq, S, NH, NKV, HS as in the reference.
(module
  (import "env" "memory" (memory 1))

  ;; softmax_row(r, mask, L, T, scale): masked causal softmax of one score row in place (softmax.wat)
  (import "softmax" "softmax_row" (func $softmax_row (param i32 i32 i32 i32 f32)))

  ;; dst[0..4) = q·k_j for the 4 key rows k_j = k + j·ks (ks in bytes; ks = 0 repeats one row).
  ;; Four f32x4 accumulators, one per row, reduced by a 4×4 transpose-add; HS % 4 tail in scalar lanes.
  (func $dot4 (param $dst i32) (param $q i32) (param $k i32) (param $ks i32) (param $HS i32)
    (local $o i32) (local $n4 i32) (local $hb i32) (local $qv v128) (local $t0 v128) (local $t1 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $k1 i32) (local $k2 i32) (local $k3 i32)
    (local.set $k1 (i32.add (local.get $k) (local.get $ks)))
    (local.set $k2 (i32.add (local.get $k1) (local.get $ks)))
    (local.set $k3 (i32.add (local.get $k2) (local.get $ks)))
    (local.set $hb (i32.shl (local.get $HS) (i32.const 2)))
    (local.set $n4 (i32.and (local.get $hb) (i32.const -16)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $o) (local.get $n4)))
      (local.set $qv (v128.load (i32.add (local.get $q) (local.get $o))))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k) (local.get $o))))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k1) (local.get $o))))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k2) (local.get $o))))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k3) (local.get $o))))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $l)))
    ;; t0 = (a0₀+a0₂, a1₀+a1₂, a0₁+a0₃, a1₁+a1₃), t1 likewise for a2, a3
    (local.set $t0 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
    (local.set $t1 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
    ;; (Σa0, Σa1, Σa2, Σa3) = t0.{0,1} + t0.{2,3} | t1.{0,1} + t1.{2,3}
    (local.set $a0 (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1))))
    ;; HS % 4 tail: lanes j += q[i]·k_j[i]
    (block $dt (loop $lt
      (br_if $dt (i32.ge_u (local.get $o) (local.get $hb)))
      (local.set $qv (f32x4.splat (f32.load (i32.add (local.get $q) (local.get $o)))))
      (local.set $t0 (f32x4.splat (f32.load (i32.add (local.get $k) (local.get $o)))))
      (local.set $t0 (f32x4.replace_lane 1 (local.get $t0) (f32.load (i32.add (local.get $k1) (local.get $o)))))
      (local.set $t0 (f32x4.replace_lane 2 (local.get $t0) (f32.load (i32.add (local.get $k2) (local.get $o)))))
      (local.set $t0 (f32x4.replace_lane 3 (local.get $t0) (f32.load (i32.add (local.get $k3) (local.get $o)))))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $qv) (local.get $t0))))
      (local.set $o (i32.add (local.get $o) (i32.const 4)))
      (br $lt)))
    (v128.store (local.get $dst) (local.get $a0)))

  ;; out[0..HS) = Σ_{s<L} p[s]·v_s with v_s = v + s·vs (vs in bytes); slots with p[s] = 0 (masked,
  ;; or underflowed) are skipped, as the reference skips masked slots. Columns in blocks of 16
  ;; (four f32x4 accumulators), then 4, then scalar.
  (func $pv (param $out i32) (param $p i32) (param $v i32) (param $vs i32) (param $L i32) (param $HS i32)
    (local $o i32) (local $hb i32) (local $s i32) (local $vp i32) (local $w f32) (local $wv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $x f32)
    (local.set $hb (i32.shl (local.get $HS) (i32.const 2)))
    ;; 16 columns
    (block $d16 (loop $l16
      (br_if $d16 (i32.gt_u (i32.add (local.get $o) (i32.const 64)) (local.get $hb)))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0))
      (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $vp (i32.add (local.get $v) (local.get $o)))
      (local.set $s (i32.const 0))
      (block $ds (loop $ls
        (br_if $ds (i32.ge_u (local.get $s) (local.get $L)))
        (local.set $w (f32.load (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2)))))
        (if (f32.ne (local.get $w) (f32.const 0))
          (then
            (local.set $wv (f32x4.splat (local.get $w)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $wv) (v128.load offset=0 (local.get $vp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $wv) (v128.load offset=16 (local.get $vp)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $wv) (v128.load offset=32 (local.get $vp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $wv) (v128.load offset=48 (local.get $vp)))))))
        (local.set $vp (i32.add (local.get $vp) (local.get $vs)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $ls)))
      (v128.store offset=0 (i32.add (local.get $out) (local.get $o)) (local.get $a0))
      (v128.store offset=16 (i32.add (local.get $out) (local.get $o)) (local.get $a1))
      (v128.store offset=32 (i32.add (local.get $out) (local.get $o)) (local.get $a2))
      (v128.store offset=48 (i32.add (local.get $out) (local.get $o)) (local.get $a3))
      (local.set $o (i32.add (local.get $o) (i32.const 64)))
      (br $l16)))
    ;; 4 columns
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $hb)))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $vp (i32.add (local.get $v) (local.get $o)))
      (local.set $s (i32.const 0))
      (block $ds (loop $ls
        (br_if $ds (i32.ge_u (local.get $s) (local.get $L)))
        (local.set $w (f32.load (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2)))))
        (if (f32.ne (local.get $w) (f32.const 0))
          (then
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (f32x4.splat (local.get $w)) (v128.load (local.get $vp)))))))
        (local.set $vp (i32.add (local.get $vp) (local.get $vs)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $ls)))
      (v128.store (i32.add (local.get $out) (local.get $o)) (local.get $a0))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $l4)))
    ;; single columns
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $o) (local.get $hb)))
      (local.set $x (f32.const 0))
      (local.set $vp (i32.add (local.get $v) (local.get $o)))
      (local.set $s (i32.const 0))
      (block $ds (loop $ls
        (br_if $ds (i32.ge_u (local.get $s) (local.get $L)))
        (local.set $w (f32.load (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2)))))
        (if (f32.ne (local.get $w) (f32.const 0))
          (then (local.set $x (f32.add (local.get $x) (f32.mul (local.get $w) (f32.load (local.get $vp)))))))
        (local.set $vp (i32.add (local.get $vp) (local.get $vs)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $ls)))
      (f32.store (i32.add (local.get $out) (local.get $o)) (local.get $x))
      (local.set $o (i32.add (local.get $o) (i32.const 4)))
      (br $l1))))

  ;; out(B,Tq,NH,HS) ← q(B,Tq,NH,HS) over kCache, vCache(B,S,NKV,HS), keyValid(B,S) u32,
  ;; qPos(B,Tq) i32 (read as u32 when qUnsigned ≠ 0, as a Uint32Array holds it).
  ;; scores: scratch of S + 3 floats (one row; the last partial block of 4 writes up to 3 past L).
  (func (export "cached_attention_forward")
    (param $out i32) (param $q i32) (param $k i32) (param $v i32) (param $valid i32) (param $qpos i32)
    (param $scores i32) (param $B i32) (param $Tq i32) (param $S i32) (param $NH i32) (param $NKV i32)
    (param $HS i32) (param $qUnsigned i32)
    (local $b i32) (local $t i32) (local $h i32) (local $p i32) (local $L i32) (local $s i32)
    (local $group i32) (local $scale f32) (local $hb i32) (local $kvs i32) (local $qp i32)
    (local $kvrow i32) (local $kb i32) (local $vb i32) (local $mrow i32)
    (local.set $scale (f32.div (f32.const 1) (f32.sqrt (f32.convert_i32_u (local.get $HS)))))
    (local.set $group (i32.div_u (local.get $NH) (local.get $NKV)))
    (local.set $hb (i32.shl (local.get $HS) (i32.const 2)))
    (local.set $kvs (i32.mul (local.get $NKV) (local.get $hb))) ;; bytes from slot s to s + 1
    (loop $lb
      (local.set $mrow (i32.add (local.get $valid) (i32.shl (i32.mul (local.get $b) (local.get $S)) (i32.const 2))))
      ;; byte offset of (b, s=0, kvh=0, 0) in the caches
      (local.set $kvrow (i32.mul (i32.mul (local.get $b) (local.get $S)) (local.get $kvs)))
      (local.set $t (i32.const 0))
      (loop $lt
        ;; L = number of slots the query may see: qPos + 1 clamped to [0, S]
        (local.set $p (i32.load (i32.add (local.get $qpos) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $Tq)) (local.get $t)) (i32.const 2)))))
        (local.set $L (select (local.get $S) (i32.add (local.get $p) (i32.const 1)) (i32.ge_u (local.get $p) (local.get $S))))
        (if (i32.and (i32.eqz (local.get $qUnsigned)) (i32.lt_s (local.get $p) (i32.const 0)))
          (then (local.set $L (i32.const 0))))
        (local.set $h (i32.const 0))
        (loop $lh
          (local.set $qp (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $Tq)) (local.get $t)) (local.get $NH)) (local.get $h)) (local.get $HS)) (i32.const 2)))
          (if (i32.eqz (local.get $L))
            (then (memory.fill (i32.add (local.get $out) (local.get $qp)) (i32.const 0) (local.get $hb)))
            (else
              ;; slot 0 of kv head h / group, in k and v
              (local.set $kb (i32.add (local.get $kvrow) (i32.mul (i32.div_u (local.get $h) (local.get $group)) (local.get $hb))))
              (local.set $vb (i32.add (local.get $v) (local.get $kb)))
              (local.set $kb (i32.add (local.get $k) (local.get $kb)))
              (local.set $s (i32.const 0))
              (block $d4 (loop $l4
                (br_if $d4 (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $L)))
                (call $dot4 (i32.add (local.get $scores) (i32.shl (local.get $s) (i32.const 2)))
                  (i32.add (local.get $q) (local.get $qp))
                  (i32.add (local.get $kb) (i32.mul (local.get $s) (local.get $kvs))) (local.get $kvs) (local.get $HS))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (br $l4)))
              ;; last < 4 slots one at a time (ks = 0: the 4 lanes repeat slot s; s + 1.. are rewritten next)
              (block $d1 (loop $l1
                (br_if $d1 (i32.ge_u (local.get $s) (local.get $L)))
                (call $dot4 (i32.add (local.get $scores) (i32.shl (local.get $s) (i32.const 2)))
                  (i32.add (local.get $q) (local.get $qp))
                  (i32.add (local.get $kb) (i32.mul (local.get $s) (local.get $kvs))) (i32.const 0) (local.get $HS))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $l1)))
              (call $softmax_row (local.get $scores) (local.get $mrow) (local.get $L) (local.get $L) (local.get $scale))
              (call $pv (i32.add (local.get $out) (local.get $qp)) (local.get $scores) (local.get $vb) (local.get $kvs)
                (local.get $L) (local.get $HS))))
          (br_if $lh (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $NH))))
        (br_if $lt (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $Tq))))
      (br_if $lb (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $B)))))
)
