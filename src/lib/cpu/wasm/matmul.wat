;; Matmul kernels in WebAssembly SIMD (f32x4) for the CPU backend: one strided GEMM that serves
;; forward (with a transposed weight), backward dinp and backward dweight, a dot-product path for
;; forward at few rows (decode), a column sum for dbias and a transpose. All pointers are BYTE
;; offsets into the imported memory; 0 means "none" (the allocator never hands out address 0).
;; Legend: N rows (=B·T), C in channels, OC out channels, K reduction length, M GEMM rows.
(module
  (import "env" "memory" (memory 1))

  ;; ---- GEMM state, set once per call by $gemm and read by the tiles (all strides in BYTES) ----
  (global $K (mut i32) (i32.const 0))     ;; reduction length
  (global $a_rs (mut i32) (i32.const 0))  ;; A: step between rows i
  (global $a_ks (mut i32) (i32.const 0))  ;; A: step along k
  (global $b_ks (mut i32) (i32.const 0))  ;; B: step along k (B is contiguous along its columns j)
  (global $c_rs (mut i32) (i32.const 0))  ;; C: step between rows i (contiguous along j)
  (global $i_rs (mut i32) (i32.const 0))  ;; INIT: step between rows (0 = one row broadcast, e.g. a bias)
  ;; K chunk of the exported gemm (its B rows, KC × Nc floats, should fit in L2)
  (global $KC i32 (i32.const 256))

  ;; The register-blocked micro-kernel: a 4 × 8 tile of C held in eight f32x4 accumulators.
  ;;   C[i, 0..8] = INIT[i, 0..8] + Σ_k A[i, k] · B[k, 0..8]        (i = 0..3)
  ;; Per k: two vector loads of B, four scalar loads of A splatted to all lanes, eight mul+add.
  ;; This is an outer product, so no horizontal sums and no stores until the end.
  (func $tile_4x8 (param $cp i32) (param $ap i32) (param $bp i32) (param $ip i32)
    (local $k i32) (local $a_ks i32) (local $b_ks i32) (local $c_rs i32) (local $i_rs i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local.set $k (global.get $K))
    (local.set $a_ks (global.get $a_ks))
    (local.set $b_ks (global.get $b_ks))
    (local.set $c_rs (global.get $c_rs))
    (local.set $i_rs (global.get $i_rs))
    (local.set $a1 (i32.add (local.get $ap) (global.get $a_rs)))
    (local.set $a2 (i32.add (local.get $a1) (global.get $a_rs)))
    (local.set $a3 (i32.add (local.get $a2) (global.get $a_rs)))
    ;; start from INIT (accumulate or bias) or from zero (locals start at zero)
    (if (local.get $ip)
      (then
        (local.set $c00 (v128.load (local.get $ip)))
        (local.set $c01 (v128.load offset=16 (local.get $ip)))
        (local.set $ip (i32.add (local.get $ip) (local.get $i_rs)))
        (local.set $c10 (v128.load (local.get $ip)))
        (local.set $c11 (v128.load offset=16 (local.get $ip)))
        (local.set $ip (i32.add (local.get $ip) (local.get $i_rs)))
        (local.set $c20 (v128.load (local.get $ip)))
        (local.set $c21 (v128.load offset=16 (local.get $ip)))
        (local.set $ip (i32.add (local.get $ip) (local.get $i_rs)))
        (local.set $c30 (v128.load (local.get $ip)))
        (local.set $c31 (v128.load offset=16 (local.get $ip)))))
    (loop $kloop
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      (local.set $x (v128.load32_splat (local.get $ap)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a1)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a2)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a3)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $ap (i32.add (local.get $ap) (local.get $a_ks)))
      (local.set $a1 (i32.add (local.get $a1) (local.get $a_ks)))
      (local.set $a2 (i32.add (local.get $a2) (local.get $a_ks)))
      (local.set $a3 (i32.add (local.get $a3) (local.get $a_ks)))
      (local.set $bp (i32.add (local.get $bp) (local.get $b_ks)))
      (br_if $kloop (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store (local.get $cp) (local.get $c00))
    (v128.store offset=16 (local.get $cp) (local.get $c01))
    (local.set $cp (i32.add (local.get $cp) (local.get $c_rs)))
    (v128.store (local.get $cp) (local.get $c10))
    (v128.store offset=16 (local.get $cp) (local.get $c11))
    (local.set $cp (i32.add (local.get $cp) (local.get $c_rs)))
    (v128.store (local.get $cp) (local.get $c20))
    (v128.store offset=16 (local.get $cp) (local.get $c21))
    (local.set $cp (i32.add (local.get $cp) (local.get $c_rs)))
    (v128.store (local.get $cp) (local.get $c30))
    (v128.store offset=16 (local.get $cp) (local.get $c31)))

  ;; One row × 8 columns (rows left over below a multiple of 4).
  (func $tile_1x8 (param $cp i32) (param $ap i32) (param $bp i32) (param $ip i32)
    (local $k i32) (local $a_ks i32) (local $b_ks i32)
    (local $c0 v128) (local $c1 v128) (local $x v128)
    (local.set $k (global.get $K))
    (local.set $a_ks (global.get $a_ks))
    (local.set $b_ks (global.get $b_ks))
    (if (local.get $ip)
      (then
        (local.set $c0 (v128.load (local.get $ip)))
        (local.set $c1 (v128.load offset=16 (local.get $ip)))))
    (loop $kloop
      (local.set $x (v128.load32_splat (local.get $ap)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load (local.get $bp)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $bp)))))
      (local.set $ap (i32.add (local.get $ap) (local.get $a_ks)))
      (local.set $bp (i32.add (local.get $bp) (local.get $b_ks)))
      (br_if $kloop (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store (local.get $cp) (local.get $c0))
    (v128.store offset=16 (local.get $cp) (local.get $c1)))

  ;; One row × 4 columns (a column tail of 4..7).
  (func $tile_1x4 (param $cp i32) (param $ap i32) (param $bp i32) (param $ip i32)
    (local $k i32) (local $a_ks i32) (local $b_ks i32) (local $c0 v128)
    (local.set $k (global.get $K))
    (local.set $a_ks (global.get $a_ks))
    (local.set $b_ks (global.get $b_ks))
    (if (local.get $ip) (then (local.set $c0 (v128.load (local.get $ip)))))
    (loop $kloop
      (local.set $c0 (f32x4.add (local.get $c0)
        (f32x4.mul (v128.load32_splat (local.get $ap)) (v128.load (local.get $bp)))))
      (local.set $ap (i32.add (local.get $ap) (local.get $a_ks)))
      (local.set $bp (i32.add (local.get $bp) (local.get $b_ks)))
      (br_if $kloop (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store (local.get $cp) (local.get $c0)))

  ;; One element, scalar (a column tail of 1..3).
  (func $tile_1x1 (param $cp i32) (param $ap i32) (param $bp i32) (param $ip i32)
    (local $k i32) (local $a_ks i32) (local $b_ks i32) (local $s f32)
    (local.set $k (global.get $K))
    (local.set $a_ks (global.get $a_ks))
    (local.set $b_ks (global.get $b_ks))
    (if (local.get $ip) (then (local.set $s (f32.load (local.get $ip)))))
    (loop $kloop
      (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
      (local.set $ap (i32.add (local.get $ap) (local.get $a_ks)))
      (local.set $bp (i32.add (local.get $bp) (local.get $b_ks)))
      (br_if $kloop (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (f32.store (local.get $cp) (local.get $s)))

  ;; Columns j0..Nc of one row i: 8-wide tiles, then one 4-wide tile, then scalars.
  ;; cp/ap/ip point at row i (ip may be 0 = no INIT); bp at column 0 of B.
  (func $row_tail (param $cp i32) (param $ap i32) (param $bp i32) (param $ip i32) (param $j i32) (param $Nc i32)
    (local $jb i32)
    (block $done8
      (loop $cols8
        (br_if $done8 (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $Nc)))
        (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
        (call $tile_1x8
          (i32.add (local.get $cp) (local.get $jb)) (local.get $ap) (i32.add (local.get $bp) (local.get $jb))
          (select (i32.add (local.get $ip) (local.get $jb)) (i32.const 0) (local.get $ip)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols8)))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $Nc))
      (then
        (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
        (call $tile_1x4
          (i32.add (local.get $cp) (local.get $jb)) (local.get $ap) (i32.add (local.get $bp) (local.get $jb))
          (select (i32.add (local.get $ip) (local.get $jb)) (i32.const 0) (local.get $ip)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    (block $done1
      (loop $cols1
        (br_if $done1 (i32.ge_u (local.get $j) (local.get $Nc)))
        (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
        (call $tile_1x1
          (i32.add (local.get $cp) (local.get $jb)) (local.get $ap) (i32.add (local.get $bp) (local.get $jb))
          (select (i32.add (local.get $ip) (local.get $jb)) (i32.const 0) (local.get $ip)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols1))))

  ;; One K-chunk of the GEMM below (called with K ≤ KC so the B panel stays in L2).
  (func $gemm_block
    (param $c i32) (param $a i32) (param $b i32) (param $init i32)
    (param $M i32) (param $Nc i32) (param $K i32)
    (param $a_rs i32) (param $a_ks i32) (param $b_ks i32) (param $c_rs i32) (param $i_rs i32)
    (local $i i32) (local $j i32) (local $jb i32) (local $r i32)
    (local $crow i32) (local $arow i32) (local $irow i32)
    (global.set $K (local.get $K))
    (global.set $a_rs (i32.shl (local.get $a_rs) (i32.const 2)))
    (global.set $a_ks (i32.shl (local.get $a_ks) (i32.const 2)))
    (global.set $b_ks (i32.shl (local.get $b_ks) (i32.const 2)))
    (global.set $c_rs (i32.shl (local.get $c_rs) (i32.const 2)))
    (global.set $i_rs (i32.shl (local.get $i_rs) (i32.const 2)))
    ;; blocks of 4 rows: 4×8 tiles across, then the column tail row by row
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
        (local.set $crow (i32.add (local.get $c) (i32.mul (local.get $i) (global.get $c_rs))))
        (local.set $arow (i32.add (local.get $a) (i32.mul (local.get $i) (global.get $a_rs))))
        (local.set $irow (select (i32.add (local.get $init) (i32.mul (local.get $i) (global.get $i_rs)))
                                 (i32.const 0) (local.get $init)))
        (local.set $j (i32.const 0))
        (block $done8
          (loop $cols8
            (br_if $done8 (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $Nc)))
            (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
            (call $tile_4x8
              (i32.add (local.get $crow) (local.get $jb)) (local.get $arow) (i32.add (local.get $b) (local.get $jb))
              (select (i32.add (local.get $irow) (local.get $jb)) (i32.const 0) (local.get $irow)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $cols8)))
        (if (i32.lt_u (local.get $j) (local.get $Nc))
          (then
            (local.set $r (i32.const 0))
            (loop $tailrows
              (call $row_tail
                (i32.add (local.get $crow) (i32.mul (local.get $r) (global.get $c_rs)))
                (i32.add (local.get $arow) (i32.mul (local.get $r) (global.get $a_rs)))
                (local.get $b)
                (select (i32.add (local.get $irow) (i32.mul (local.get $r) (global.get $i_rs)))
                        (i32.const 0) (local.get $irow))
                (local.get $j) (local.get $Nc))
              (br_if $tailrows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))
    ;; the last M % 4 rows, one at a time
    (block $done1
      (loop $rows1
        (br_if $done1 (i32.ge_u (local.get $i) (local.get $M)))
        (call $row_tail
          (i32.add (local.get $c) (i32.mul (local.get $i) (global.get $c_rs)))
          (i32.add (local.get $a) (i32.mul (local.get $i) (global.get $a_rs)))
          (local.get $b)
          (select (i32.add (local.get $init) (i32.mul (local.get $i) (global.get $i_rs)))
                  (i32.const 0) (local.get $init))
          (i32.const 0) (local.get $Nc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1))))

  ;; Strided GEMM, C(M,Nc) = INIT + A(M,K) · B(K,Nc), strides in ELEMENTS (f32):
  ;;   A[i,k] at a + 4·(i·a_rs + k·a_ks)   (any layout: a_ks = 1 row-major, a_rs = 1 transposed)
  ;;   B[k,j] at b + 4·(k·b_ks + j)        (contiguous along j)
  ;;   C[i,j] at c + 4·(i·c_rs + j)
  ;;   INIT[i,j] at init + 4·(i·i_rs + j); init = 0 means zero, init = c with i_rs = c_rs
  ;;   accumulates (C += A·B), i_rs = 0 broadcasts one row (a bias).  Needs M, Nc, K ≥ 1.
  ;; K is cut into chunks of KC: the first starts from INIT, the others accumulate onto C, so
  ;; the rows of B a chunk reads (KC × Nc) stay in cache across all row blocks of C.
  (func (export "gemm")
    (param $c i32) (param $a i32) (param $b i32) (param $init i32)
    (param $M i32) (param $Nc i32) (param $K i32)
    (param $a_rs i32) (param $a_ks i32) (param $b_ks i32) (param $c_rs i32) (param $i_rs i32)
    (local $k0 i32) (local $kc i32)
    (local.set $kc (select (global.get $KC) (local.get $K) (i32.gt_u (local.get $K) (global.get $KC))))
    (call $gemm_block (local.get $c) (local.get $a) (local.get $b) (local.get $init)
      (local.get $M) (local.get $Nc) (local.get $kc)
      (local.get $a_rs) (local.get $a_ks) (local.get $b_ks) (local.get $c_rs) (local.get $i_rs))
    (local.set $k0 (local.get $kc))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $k0) (local.get $K)))
        (local.set $kc (i32.sub (local.get $K) (local.get $k0)))
        (local.set $kc (select (global.get $KC) (local.get $kc) (i32.gt_u (local.get $kc) (global.get $KC))))
        (call $gemm_block (local.get $c)
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $k0) (local.get $a_ks)) (i32.const 2)))
          (i32.add (local.get $b) (i32.shl (i32.mul (local.get $k0) (local.get $b_ks)) (i32.const 2)))
          (local.get $c)
          (local.get $M) (local.get $Nc) (local.get $kc)
          (local.get $a_rs) (local.get $a_ks) (local.get $b_ks) (local.get $c_rs) (local.get $c_rs))
        (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
        (br $chunks))))

  ;; ---- forward at few rows: dot products straight from the (OC,C) weight, no transpose ----

  ;; Σ_c x[c]·w[c] over C elements: f32x4 partial sums, a horizontal sum, then the scalar tail.
  (func $dot (param $xp i32) (param $wp i32) (param $C i32) (result f32)
    (local $acc v128) (local $end4 i32) (local $end i32) (local $s f32)
    (local.set $end (i32.add (local.get $xp) (i32.shl (local.get $C) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $xp) (i32.shl (i32.and (local.get $C) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $xp) (local.get $end4)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load (local.get $xp)) (v128.load (local.get $wp)))))
        (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
        (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
        (br $l)))
    (local.set $s (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_u (local.get $xp) (local.get $end)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $xp)) (f32.load (local.get $wp)))))
        (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
        (local.set $wp (i32.add (local.get $wp) (i32.const 4)))
        (br $l1)))
    (local.get $s))

  ;; Four dot products sharing one x row: lane r = Σ_c x[c]·w[r, c] for the 4 weight rows at
  ;; wp, wp + C, ... ; the x load is reused four times. Requires C % 4 = 0 and C ≥ 4.
  (func $dot4 (param $xp i32) (param $wp i32) (param $C i32) (result v128)
    (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $end i32) (local $x v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $t0 v128) (local $t1 v128)
    (local.set $w1 (i32.add (local.get $wp) (i32.shl (local.get $C) (i32.const 2))))
    (local.set $w2 (i32.add (local.get $w1) (i32.shl (local.get $C) (i32.const 2))))
    (local.set $w3 (i32.add (local.get $w2) (i32.shl (local.get $C) (i32.const 2))))
    (local.set $end (i32.add (local.get $xp) (i32.shl (local.get $C) (i32.const 2))))
    (loop $l
      (local.set $x (v128.load (local.get $xp)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (v128.load (local.get $wp)))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (v128.load (local.get $w1)))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x) (v128.load (local.get $w2)))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x) (v128.load (local.get $w3)))))
      (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
      (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
      (local.set $w1 (i32.add (local.get $w1) (i32.const 16)))
      (local.set $w2 (i32.add (local.get $w2) (i32.const 16)))
      (local.set $w3 (i32.add (local.get $w3) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $xp) (local.get $end))))
    ;; 4 horizontal sums at once by two transposing shuffle+add rounds:
    ;; t0 = (a0[0]+a0[1], a1[0]+a1[1], a0[2]+a0[3], a1[2]+a1[3]), t1 likewise for a2, a3
    (local.set $t0 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $a0) (local.get $a1))
      (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
    (local.set $t1 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $a2) (local.get $a3))
      (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
    ;; (t0[0]+t0[2], t0[1]+t0[3], t1[0]+t1[2], t1[1]+t1[3]) = (Σa0, Σa1, Σa2, Σa3)
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1))))

  ;; out(N,OC) = inp(N,C)·weight(OC,C)ᵀ + bias(OC) by dot products (bias = 0: none); out rows are
  ;; $ldo floats apart (= OC, or the full width when a thread computes a band of OC columns).
  ;; Reads the weight in place, so it wins when N is small (decode); the GEMM wins at many rows.
  (func (export "matmul_dot")
    (param $out i32) (param $inp i32) (param $w i32) (param $bias i32)
    (param $N i32) (param $C i32) (param $OC i32) (param $ldo i32)
    (local $n i32) (local $o i32) (local $xp i32) (local $yp i32) (local $wp i32) (local $bp i32)
    (local $rowb i32) (local $v v128) (local $s f32)
    (local.set $rowb (i32.shl (local.get $C) (i32.const 2))) ;; bytes per weight row
    (loop $rows
      (local.set $xp (i32.add (local.get $inp) (i32.mul (local.get $n) (local.get $rowb))))
      (local.set $yp (i32.add (local.get $out) (i32.shl (i32.mul (local.get $n) (local.get $ldo)) (i32.const 2))))
      (local.set $wp (local.get $w))
      (local.set $bp (local.get $bias))
      (local.set $o (i32.const 0))
      ;; four outputs at a time when C is a multiple of 4
      (if (i32.eqz (i32.and (local.get $C) (i32.const 3)))
        (then
          (block $done4
            (loop $cols4
              (br_if $done4 (i32.gt_u (i32.add (local.get $o) (i32.const 4)) (local.get $OC)))
              (local.set $v (call $dot4 (local.get $xp) (local.get $wp) (local.get $C)))
              (if (local.get $bias)
                (then
                  (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $bp))))
                  (local.set $bp (i32.add (local.get $bp) (i32.const 16)))))
              (v128.store (local.get $yp) (local.get $v))
              (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
              (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $rowb) (i32.const 2))))
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (br $cols4)))))
      (block $done1
        (loop $cols1
          (br_if $done1 (i32.ge_u (local.get $o) (local.get $OC)))
          (local.set $s (call $dot (local.get $xp) (local.get $wp) (local.get $C)))
          (if (local.get $bias)
            (then
              (local.set $s (f32.add (local.get $s) (f32.load (local.get $bp))))
              (local.set $bp (i32.add (local.get $bp) (i32.const 4)))))
          (f32.store (local.get $yp) (local.get $s))
          (local.set $yp (i32.add (local.get $yp) (i32.const 4)))
          (local.set $wp (i32.add (local.get $wp) (local.get $rowb)))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (br $cols1)))
      (br_if $rows (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (local.get $N)))))

  ;; ---- helpers for the wrappers ----

  ;; bytes [p, p + n) = 0 with the bulk-memory fill (a memset, also on a shared memory, where
  ;; TypedArray.fill takes a slow per-element path).
  (func (export "zero_bytes") (param $p i32) (param $n i32)
    (memory.fill (local.get $p) (i32.const 0) (local.get $n)))

  ;; dst(Cc,ldd)[:, 0..R] = src(R,Cc)ᵀ: reads src row by row, writes dst down its columns; dst rows
  ;; are $ldd floats apart (= R, or the full width when a thread transposes a band of src rows).
  (func (export "transpose") (param $dst i32) (param $src i32) (param $R i32) (param $Cc i32) (param $ldd i32)
    (local $r i32) (local $c i32) (local $sp i32) (local $dp i32) (local $rstride i32)
    (local.set $rstride (i32.shl (local.get $ldd) (i32.const 2)))
    (local.set $sp (local.get $src))
    (loop $rows
      (local.set $dp (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
      (local.set $c (local.get $Cc))
      (loop $cols
        (f32.store (local.get $dp) (f32.load (local.get $sp)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
        (local.set $dp (i32.add (local.get $dp) (local.get $rstride)))
        (br_if $cols (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
      (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $R)))))

  ;; dbias(OC) += Σ_n dout(N,OC)[n, :]: column sums, four columns per f32x4, scalar tail.
  (func (export "colsum_acc") (param $dbias i32) (param $dout i32) (param $N i32) (param $OC i32)
    (local $o i32) (local $n i32) (local $p i32) (local $rowb i32) (local $v v128) (local $s f32)
    (local.set $rowb (i32.shl (local.get $OC) (i32.const 2)))
    (block $done4
      (loop $cols4
        (br_if $done4 (i32.gt_u (i32.add (local.get $o) (i32.const 4)) (local.get $OC)))
        (local.set $p (i32.add (local.get $dout) (i32.shl (local.get $o) (i32.const 2))))
        (local.set $v (v128.load (i32.add (local.get $dbias) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $n (local.get $N))
        (loop $rows
          (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowb)))
          (br_if $rows (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (v128.store (i32.add (local.get $dbias) (i32.shl (local.get $o) (i32.const 2))) (local.get $v))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $cols4)))
    (block $done1
      (loop $cols1
        (br_if $done1 (i32.ge_u (local.get $o) (local.get $OC)))
        (local.set $p (i32.add (local.get $dout) (i32.shl (local.get $o) (i32.const 2))))
        (local.set $s (f32.load (i32.add (local.get $dbias) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $n (local.get $N))
        (loop $rows1
          (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowb)))
          (br_if $rows1 (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (f32.store (i32.add (local.get $dbias) (i32.shl (local.get $o) (i32.const 2))) (local.get $s))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $cols1))))
)
