;; CRC32C (Castagnoli) slicing-by-16 over linear memory: the hot loop of src/net/crc32c.ts.
;; `npm run gen:wasm` assembles this into src/net/gen/crc32c-wasm.ts (committed; no runtime build).
;; Memory layout (set up by crc32c.ts): 16 tables of 256 little-endian u32 at 0..16383 (table k at
;; k*1024: T0 is the bytewise table, Tk advances a byte k more zero bytes); data from 16384.
;; crc(c, p, len): c is the running CRC already inverted (~crc); returns the new inverted CRC.
(module
  (memory (export "memory") 4)
  (func (export "crc") (param $c i32) (param $p i32) (param $len i32) (result i32)
    (local $a i32) (local $b i32) (local $d i32) (local $e i32) (local $end16 i32) (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (local.set $end16 (i32.add (local.get $p) (i32.and (local.get $len) (i32.const -16))))
    (block $done16
      (loop $l16
        (br_if $done16 (i32.ge_u (local.get $p) (local.get $end16)))
        (local.set $a (i32.xor (local.get $c) (i32.load (local.get $p))))
        (local.set $b (i32.load offset=4 (local.get $p)))
        (local.set $d (i32.load offset=8 (local.get $p)))
        (local.set $e (i32.load offset=12 (local.get $p)))
        (local.set $c
          (i32.xor
            (i32.xor
              (i32.xor
                (i32.xor (i32.load offset=15360 (i32.shl (i32.and (local.get $a) (i32.const 255)) (i32.const 2)))
                         (i32.load offset=14336 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor (i32.load offset=13312 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                         (i32.load offset=12288 (i32.shl (i32.shr_u (local.get $a) (i32.const 24)) (i32.const 2)))))
              (i32.xor
                (i32.xor (i32.load offset=11264 (i32.shl (i32.and (local.get $b) (i32.const 255)) (i32.const 2)))
                         (i32.load offset=10240 (i32.shl (i32.and (i32.shr_u (local.get $b) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor (i32.load offset=9216 (i32.shl (i32.and (i32.shr_u (local.get $b) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                         (i32.load offset=8192 (i32.shl (i32.shr_u (local.get $b) (i32.const 24)) (i32.const 2))))))
            (i32.xor
              (i32.xor
                (i32.xor (i32.load offset=7168 (i32.shl (i32.and (local.get $d) (i32.const 255)) (i32.const 2)))
                         (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $d) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $d) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                         (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $d) (i32.const 24)) (i32.const 2)))))
              (i32.xor
                (i32.xor (i32.load offset=3072 (i32.shl (i32.and (local.get $e) (i32.const 255)) (i32.const 2)))
                         (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $e) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $e) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                         (i32.load (i32.shl (i32.shr_u (local.get $e) (i32.const 24)) (i32.const 2))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l16)))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c
          (i32.xor
            (i32.load (i32.shl (i32.and (i32.xor (local.get $c) (i32.load8_u (local.get $p))) (i32.const 255)) (i32.const 2)))
            (i32.shr_u (local.get $c) (i32.const 8))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l1)))
    (local.get $c)))
