//! A cache-blocked f64 matrix product that gives the same bits natively and
//! in WebAssembly, whichever micro-kernel runs, and is faster than nalgebra's
//! generic product in both (measured in docs/benchmarks.md).
//!
//! Every entry is C_ij = Σ_k A_ik B_kj summed in increasing k from +0.0, one
//! rounded multiply and one rounded add per term: no FMA, no reassociation.
//! Blocking (BLIS-style packing of A into MR-row panels and B into NR-column
//! panels, k in blocks of KC) only changes which entries are computed when,
//! never the order of any entry's sum: a later k-block continues from the
//! partial sum the earlier one left in C. So the result is a fixed function
//! of the inputs on every platform and with every micro-kernel, and `A * B`
//! matches nalgebra's own product (which also sums in k order) to rounding.
//!
//! # Micro-kernels
//!
//! A micro-kernel adds an MR × NR tile of products to its accumulators, one
//! k at a time. Its vector lanes hold *different entries* of C (consecutive
//! rows of one output column, contiguous in C's column-major storage), never
//! different terms of one entry, so the lane width changes nothing in any
//! entry's arithmetic. [`Kernel`] lists them:
//!
//! - [`Kernel::Portable`]: plain Rust, 4 × 4 tiles (any target).
//! - [`Kernel::Simd2`]: two f64 lanes, 4 × 4 tiles: `simd128` in wasm (what
//!   the page runs; every current browser and Node ≥ 16 has SIMD), SSE2 on
//!   x86_64 (part of its baseline).
//! - [`Kernel::Avx2`]: four lanes (`_mm256_mul_pd` then `_mm256_add_pd`),
//!   8 × 6 tiles, x86_64 with AVX2.
//! - [`Kernel::Avx512`]: eight lanes (`_mm512_mul_pd` then `_mm512_add_pd`),
//!   16 × 8 tiles, x86_64 with AVX-512F.
//!
//! The native build keeps the default x86-64 target: the wide kernels are
//! compiled for their feature only (`#[target_feature]`) and chosen at run
//! time with `is_x86_feature_detected!`, so the binary runs on any x86-64.
//! The default is AVX2 where present (measured faster than AVX-512 here,
//! see [`Kernel::preferred`]), else the widest kernel available.
//! None of them uses FMA (a fused multiply–add rounds once, not twice, and
//! would change the bits). The environment variable `NEUROGEOM_KERNEL`
//! (`portable`, `sse2`/`simd128`, `avx2`, `avx512`), read once, forces a
//! kernel; [`with_kernel`] does the same for one thread (tests, benchmarks).
//!
//! Matrices are nalgebra's `DMatrix<f64>` (column-major).

use nalgebra::DMatrix;
use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

/// Depth of a k-block.
const KC: usize = 256;
/// Rows of A per packed block (a multiple of every kernel's MR).
const MC: usize = 128;
/// Columns of B per packed block (a multiple of every kernel's NR).
const NC: usize = 480;

/// A micro-kernel of the blocked product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust, 4 × 4 tiles.
    Portable,
    /// Two f64 lanes, 4 × 4 tiles: wasm `simd128`, or x86_64's baseline SSE2.
    Simd2,
    /// x86_64 AVX2 (256-bit), 8 × 6 tiles.
    Avx2,
    /// x86_64 AVX-512F (512-bit), 16 × 8 tiles.
    Avx512,
}

impl Kernel {
    /// Every kernel, narrowest first.
    pub const ALL: [Kernel; 4] = [
        Kernel::Portable,
        Kernel::Simd2,
        Kernel::Avx2,
        Kernel::Avx512,
    ];

    /// The name `NEUROGEOM_KERNEL` takes.
    pub fn key(self) -> &'static str {
        match self {
            Kernel::Portable => "portable",
            Kernel::Simd2 => {
                if cfg!(target_arch = "wasm32") {
                    "simd128"
                } else {
                    "sse2"
                }
            }
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
        }
    }

    /// Parse a name (`portable`, `sse2` or `simd128`, `avx2`, `avx512`).
    pub fn from_key(key: &str) -> Option<Kernel> {
        match key.trim().to_ascii_lowercase().as_str() {
            "portable" => Some(Kernel::Portable),
            "sse2" | "simd128" | "simd2" => Some(Kernel::Simd2),
            "avx2" => Some(Kernel::Avx2),
            "avx512" | "avx512f" => Some(Kernel::Avx512),
            _ => None,
        }
    }

    /// Whether this machine (and build target) can run the kernel.
    pub fn is_available(self) -> bool {
        match self {
            Kernel::Portable => true,
            Kernel::Simd2 => cfg!(any(target_arch = "wasm32", target_arch = "x86_64")),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => false,
        }
    }

    /// The kernels this machine can run, narrowest first.
    pub fn available() -> Vec<Kernel> {
        Kernel::ALL
            .into_iter()
            .filter(|k| k.is_available())
            .collect()
    }

    /// The widest kernel this machine can run.
    pub fn detected() -> Kernel {
        *Kernel::available().last().unwrap_or(&Kernel::Portable)
    }
}

impl Kernel {
    /// The kernel used unless one is forced: AVX2 where the CPU has it,
    /// else the widest available. AVX-512 is not the default: on the
    /// benchmark machine the AVX2 kernel trained 5–15% faster in every
    /// side-by-side round (docs/benchmarks.md); force it with
    /// `NEUROGEOM_KERNEL=avx512`.
    pub fn preferred() -> Kernel {
        if Kernel::Avx2.is_available() {
            Kernel::Avx2
        } else {
            Kernel::detected()
        }
    }
}

/// The kernel for this process: `NEUROGEOM_KERNEL` if set (and runnable
/// here), else [`Kernel::preferred`]. Read once.
pub fn default_kernel() -> Kernel {
    static DEFAULT: OnceLock<Kernel> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        let detected = Kernel::preferred();
        #[cfg(not(target_arch = "wasm32"))]
        if let Ok(value) = std::env::var("NEUROGEOM_KERNEL") {
            match Kernel::from_key(&value) {
                Some(k) if k.is_available() => return k,
                Some(k) => eprintln!(
                    "neurogeom: NEUROGEOM_KERNEL={value}: this machine cannot run the {} kernel; using {}",
                    k.key(),
                    detected.key()
                ),
                None => eprintln!(
                    "neurogeom: NEUROGEOM_KERNEL={value:?} is not a kernel (portable, sse2, avx2, avx512); using {}",
                    detected.key()
                ),
            }
        }
        detected
    })
}

thread_local! {
    static FORCED: Cell<Option<Kernel>> = const { Cell::new(None) };
}

/// The kernel products on this thread use now.
pub fn current_kernel() -> Kernel {
    FORCED.with(|f| f.get()).unwrap_or_else(default_kernel)
}

/// Run `f` with every product on this thread using `kernel` (for tests and
/// benchmarks; other threads are unaffected). Panics if this machine cannot
/// run `kernel`: check [`Kernel::is_available`] first.
pub fn with_kernel<R>(kernel: Kernel, f: impl FnOnce() -> R) -> R {
    assert!(
        kernel.is_available(),
        "gemm::with_kernel: this machine cannot run the {} kernel",
        kernel.key()
    );
    struct Restore(Option<Kernel>);
    impl Drop for Restore {
        fn drop(&mut self) {
            FORCED.with(|f| f.set(self.0));
        }
    }
    let _restore = Restore(FORCED.with(|f| f.replace(Some(kernel))));
    f()
}

/// A read-only strided view: element (i, j) is `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [f64],
    rs: usize,
    cs: usize,
}

/// A · B.
pub fn mul(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
    let mut c = DMatrix::zeros(0, 0);
    mul_into(&mut c, a, b);
    c
}

/// Aᵀ · B.
pub fn mul_tn(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
    let mut c = DMatrix::zeros(0, 0);
    mul_tn_into(&mut c, a, b);
    c
}

/// A · Bᵀ.
pub fn mul_nt(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
    let mut c = DMatrix::zeros(0, 0);
    mul_nt_into(&mut c, a, b);
    c
}

/// C = A · B into `c`, reusing its storage when it already has the
/// result's shape (else it is reallocated). Its old values are overwritten,
/// never read, so the bits are those of [`mul`]. For loops that multiply
/// the same shapes every step (training): no allocation, no page faults.
pub fn mul_into(c: &mut DMatrix<f64>, a: &DMatrix<f64>, b: &DMatrix<f64>) {
    assert_eq!(
        a.ncols(),
        b.nrows(),
        "gemm::mul: {:?} · {:?}",
        a.shape(),
        b.shape()
    );
    let (m, n, k) = (a.nrows(), b.ncols(), a.ncols());
    product(c, m, n, k, col_major(a), col_major(b));
}

/// C = Aᵀ · B into `c` (see [`mul_into`]). No transpose is formed: the
/// packing reads A along its columns.
pub fn mul_tn_into(c: &mut DMatrix<f64>, a: &DMatrix<f64>, b: &DMatrix<f64>) {
    assert_eq!(
        a.nrows(),
        b.nrows(),
        "gemm::mul_tn: {:?}ᵀ · {:?}",
        a.shape(),
        b.shape()
    );
    let (m, n, k) = (a.ncols(), b.ncols(), a.nrows());
    product(c, m, n, k, transposed(a), col_major(b));
}

/// C = A · Bᵀ into `c` (see [`mul_into`]). No transpose is formed.
pub fn mul_nt_into(c: &mut DMatrix<f64>, a: &DMatrix<f64>, b: &DMatrix<f64>) {
    assert_eq!(
        a.ncols(),
        b.ncols(),
        "gemm::mul_nt: {:?} · {:?}ᵀ",
        a.shape(),
        b.shape()
    );
    let (m, n, k) = (a.nrows(), b.nrows(), a.ncols());
    product(c, m, n, k, col_major(a), transposed(b));
}

/// The Gram matrix of the columns, XᵀX (d × d for X n × d): the bits of
/// [`mul_tn`]`(x, x)`, at about half its cost.
///
/// Only the tiles on and above the diagonal are computed, in column blocks
/// (block b holds rows 0..end_b of columns start_b..end_b), and mirrored.
/// Each computed entry is the same k-ordered sum as in the full product
/// (the k-blocks are cut at the same depths whatever the block of C), and
/// x_ki·x_kj = x_kj·x_ki exactly, so the mirror image is the entry the full
/// product would have computed: the result is exactly symmetric and equal
/// to `mul_tn(x, x)` bit for bit (a test checks it).
///
/// Natively, a large product (more than [`PARALLEL_WORK`] multiply–adds)
/// shares its blocks among [`threads`] threads; which thread computes a
/// block changes no bit of it.
pub fn gram_tn(x: &DMatrix<f64>) -> DMatrix<f64> {
    let (k, d) = x.shape();
    // Block j of columns of Xᵀ·X: A = Xᵀ restricted to rows 0..end, B = the
    // columns start..end of X.
    symmetric(d, k, |start, end| {
        (
            View {
                data: x.as_slice(),
                rs: k,
                cs: 1,
            },
            View {
                data: &x.as_slice()[start * k..],
                rs: 1,
                cs: k,
            },
            end,
        )
    })
}

/// The Gram matrix of the rows, XXᵀ (n × n for X n × d): the bits of
/// [`mul_nt`]`(x, x)` at about half its cost (see [`gram_tn`]).
pub fn gram_nt(x: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, k) = x.shape();
    symmetric(n, k, |start, end| {
        (
            View {
                data: x.as_slice(),
                rs: 1,
                cs: n,
            },
            View {
                data: &x.as_slice()[start..],
                rs: n,
                cs: 1,
            },
            end,
        )
    })
}

/// Products of more multiply–adds than this run on several threads
/// natively (every product, and the symmetric [`gram_tn`], [`gram_nt`]);
/// below it a thread costs more than it saves. Training products are far
/// smaller.
pub const PARALLEL_WORK: usize = 1 << 25;

/// Columns of C per block of a symmetric product (a multiple of every
/// kernel's NR and MR).
const SYM_BLOCK: usize = 96;

/// Threads for a product of `work` multiply–adds: 1 in wasm or below
/// [`PARALLEL_WORK`], else the machine's cores (at most 8), or
/// `NEUROGEOM_THREADS` when set (read once).
pub fn threads(work: usize) -> usize {
    if cfg!(target_arch = "wasm32") || work < PARALLEL_WORK {
        return 1;
    }
    THREADS.with(|t| t.get()).unwrap_or_else(max_threads)
}

thread_local! {
    static THREADS: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Run `f` with products on this thread using at most `n` threads (1: no
/// threads of their own). Workers that already share the cores among
/// themselves (a sweep's runs, the analyses' threads) set 1, so that their
/// products do not start threads of their own.
pub fn with_threads<R>(n: usize, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<usize>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREADS.with(|t| t.set(self.0));
        }
    }
    let _restore = Restore(THREADS.with(|t| t.replace(Some(n.max(1)))));
    f()
}

/// The native thread budget of large products: `NEUROGEOM_THREADS`, else
/// the available parallelism capped at 8 (1 in wasm).
pub fn max_threads() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        static THREADS: OnceLock<usize> = OnceLock::new();
        *THREADS.get_or_init(|| {
            if let Some(n) = std::env::var("NEUROGEOM_THREADS")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|&n| n >= 1)
            {
                return n.min(64);
            }
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(8)
        })
    }
}

/// An n × n symmetric product with depth k, by column blocks: `views(start,
/// end)` gives the views A (rows 0..end used) and B (its columns
/// start..end) and the row count `end` of the block's tile. The tiles are
/// computed (on threads natively, see [`threads`]), copied on and above the
/// diagonal, and mirrored below it.
fn symmetric<'a, F>(n: usize, k: usize, views: F) -> DMatrix<f64>
where
    F: Fn(usize, usize) -> (View<'a>, View<'a>, usize) + Sync,
{
    let mut c = DMatrix::zeros(n, n);
    if n == 0 {
        return c;
    }
    let blocks: Vec<(usize, usize)> = (0..n)
        .step_by(SYM_BLOCK)
        .map(|s| (s, (s + SYM_BLOCK).min(n)))
        .collect();
    let tile = |&(start, end): &(usize, usize)| {
        let (a, b, rows) = views(start, end);
        let mut t = DMatrix::zeros(rows, end - start);
        if k == 0 {
            return t;
        }
        product_serial(t.as_mut_slice(), rows, end - start, k, a, b);
        t
    };
    let work = n.saturating_mul(n / 2 + 1).saturating_mul(k);
    let nthreads = threads(work).min(blocks.len());
    let tiles: Vec<DMatrix<f64>> = if nthreads <= 1 {
        blocks.iter().map(tile).collect()
    } else {
        parallel_map(&blocks, nthreads, tile)
    };
    for (&(start, end), t) in blocks.iter().zip(&tiles) {
        for j in start..end {
            for i in 0..=j {
                let v = t[(i, j - start)];
                c[(i, j)] = v;
                c[(j, i)] = v;
            }
        }
    }
    c
}

/// `items.iter().map(f)` on `nthreads` threads natively (the items taken
/// from the largest index down, where the symmetric blocks are largest;
/// each thread uses the caller's kernel), in item order.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    nthreads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = nthreads;
        items.iter().map(f).collect()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Mutex;
        let kernel = current_kernel();
        let next = AtomicUsize::new(0);
        let out: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..nthreads {
                s.spawn(|| {
                    with_kernel(kernel, || {
                        with_threads(1, || loop {
                            let taken = next.fetch_add(1, Ordering::Relaxed);
                            if taken >= items.len() {
                                break;
                            }
                            let i = items.len() - 1 - taken;
                            let r = f(&items[i]);
                            *out[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                        })
                    })
                });
            }
        });
        out.into_iter()
            .map(|m| {
                m.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .expect("every item computed")
            })
            .collect()
    }
}

fn col_major(a: &DMatrix<f64>) -> View<'_> {
    View {
        data: a.as_slice(),
        rs: 1,
        cs: a.nrows(),
    }
}

fn transposed(a: &DMatrix<f64>) -> View<'_> {
    View {
        data: a.as_slice(),
        rs: a.nrows(),
        cs: 1,
    }
}

/// C = A B for views A (m × k) and B (k × n), with this thread's kernel,
/// into `c` (reshaped if needed; every entry is overwritten). Natively, a
/// product of more than [`PARALLEL_WORK`] multiply–adds splits C's columns
/// among [`threads`] threads: each entry is computed exactly as on one
/// thread, so the bits do not change.
fn product(c: &mut DMatrix<f64>, m: usize, n: usize, k: usize, a: View, b: View) {
    if c.shape() != (m, n) {
        *c = DMatrix::zeros(m, n);
    }
    if m == 0 || n == 0 {
        return;
    }
    let cs = c.as_mut_slice();
    if k == 0 {
        cs.fill(0.0);
        return;
    }
    let work = m.saturating_mul(n).saturating_mul(k);
    // Column chunks of a multiple of 48 (every kernel's NR divides it).
    let nthreads = threads(work).min(n / 48);
    if nthreads <= 1 {
        return product_serial(cs, m, n, k, a, b);
    }
    let width = n.div_ceil(nthreads).div_ceil(48) * 48;
    let chunks: Vec<(usize, &mut [f64])> = cs
        .chunks_mut(width * m)
        .enumerate()
        .map(|(i, chunk)| (i * width, chunk))
        .collect();
    #[cfg(not(target_arch = "wasm32"))]
    {
        let kernel = current_kernel();
        std::thread::scope(|s| {
            for (j0, chunk) in chunks {
                let cols = chunk.len() / m;
                let b = View {
                    data: &b.data[j0 * b.cs..],
                    ..b
                };
                s.spawn(move || {
                    with_kernel(kernel, || {
                        with_threads(1, || product_serial(chunk, m, cols, k, a, b))
                    })
                });
            }
        });
    }
    #[cfg(target_arch = "wasm32")]
    for (j0, chunk) in chunks {
        let cols = chunk.len() / m;
        let b = View {
            data: &b.data[j0 * b.cs..],
            ..b
        };
        product_serial(chunk, m, cols, k, a, b);
    }
}

/// [`product`] on this thread, into the column-major m × n slice `cs`.
fn product_serial(cs: &mut [f64], m: usize, n: usize, k: usize, a: View, b: View) {
    match current_kernel() {
        Kernel::Portable => blocked::<4, 4>(cs, m, n, k, a, b, kernel_portable),
        #[cfg(target_arch = "wasm32")]
        Kernel::Simd2 => blocked::<4, 4>(cs, m, n, k, a, b, kernel_simd128),
        #[cfg(target_arch = "x86_64")]
        Kernel::Simd2 => blocked::<4, 4>(cs, m, n, k, a, b, kernel_sse2),
        // SAFETY (both): `current_kernel` only returns a kernel that
        // `Kernel::is_available` confirmed this CPU runs.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => blocked::<8, 6>(cs, m, n, k, a, b, kernel_avx2),
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => blocked::<16, 8>(cs, m, n, k, a, b, kernel_avx512),
        #[allow(unreachable_patterns)]
        _ => blocked::<4, 4>(cs, m, n, k, a, b, kernel_portable),
    }
}

/// A micro-kernel: for the MR × NR tile of C at `c` (entry (i, j) at
/// `c[i + j·ldc]`), `C_ij = start_ij + Σ_kk ap[kk·MR + i] · bp[kk·NR + j]`,
/// term by term in kk order, one rounded multiply and one rounded add per
/// term, where `start_ij` is the tile's current value if `load` (a later
/// k-block continues the sum) and +0.0 if not (the first k-block). Callers
/// guarantee `ap` holds kc·MR values, `bp` kc·NR, that the tile lies inside
/// C, and that the CPU has the kernel's target feature.
type MicroKernel = unsafe fn(usize, *const f64, *const f64, *mut f64, usize, bool);

/// The blocked product into the column-major m × n `c` (every entry is
/// overwritten), with MR × NR tiles computed by `kernel`.
#[allow(clippy::too_many_arguments)]
fn blocked<const MR: usize, const NR: usize>(
    c: &mut [f64],
    m: usize,
    n: usize,
    k: usize,
    a: View,
    b: View,
    kernel: MicroKernel,
) {
    debug_assert!(MC.is_multiple_of(MR) && NC.is_multiple_of(NR));
    assert!(c.len() >= m * n);
    // The packing buffers are kept per thread between products: allocating
    // and zeroing them per call cost 13% of a training step's instructions.
    // Packing overwrites every value a kernel reads, so old contents never
    // matter.
    let (mut apack, mut bpack) = PACKS.with(|p| std::mem::take(&mut *p.borrow_mut()));
    apack.resize(
        apack.len().max(MC.min(m).div_ceil(MR) * MR * KC.min(k)),
        0.0,
    );
    bpack.resize(
        bpack.len().max(NC.min(n).div_ceil(NR) * NR * KC.min(k)),
        0.0,
    );
    // An edge tile (fewer than MR rows or NR columns left) is computed in
    // this MR × NR scratch tile and its valid part copied; a full tile is
    // computed in C itself.
    let mut edge = [[0.0f64; MR]; NR];
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            let load = pc > 0;
            pack::<NR>(
                &mut bpack,
                b.data,
                pc * b.rs + jc * b.cs,
                b.rs,
                b.cs,
                kc,
                nc,
            );
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                pack::<MR>(
                    &mut apack,
                    a.data,
                    ic * a.rs + pc * a.cs,
                    a.cs,
                    a.rs,
                    kc,
                    mc,
                );
                for jr in (0..nc).step_by(NR) {
                    let bp = &bpack[jr * kc..(jr + NR) * kc];
                    for ir in (0..mc).step_by(MR) {
                        let ap = &apack[ir * kc..(ir + MR) * kc];
                        let (i0, j0) = (ic + ir, jc + jr);
                        let (mr, nr) = (MR.min(m - i0), NR.min(n - j0));
                        assert!(ap.len() >= kc * MR && bp.len() >= kc * NR);
                        if mr == MR && nr == NR {
                            // SAFETY: the panels hold kc·MR and kc·NR values
                            // (asserted); the tile's last entry, (i0 + MR − 1,
                            // j0 + NR − 1), is inside the m × n C (c.len() ≥
                            // m·n asserted); `product` only passes a kernel
                            // this CPU runs.
                            unsafe {
                                kernel(
                                    kc,
                                    ap.as_ptr(),
                                    bp.as_ptr(),
                                    c.as_mut_ptr().add(i0 + j0 * m),
                                    m,
                                    load,
                                )
                            };
                        } else {
                            if load {
                                for (j, col) in edge.iter_mut().enumerate().take(nr) {
                                    let from = i0 + (j0 + j) * m;
                                    col[..mr].copy_from_slice(&c[from..from + mr]);
                                }
                            }
                            // SAFETY: as above; the tile is the MR × NR
                            // scratch array, column stride MR.
                            unsafe {
                                kernel(
                                    kc,
                                    ap.as_ptr(),
                                    bp.as_ptr(),
                                    edge.as_mut_ptr() as *mut f64,
                                    MR,
                                    load,
                                )
                            };
                            for (j, col) in edge.iter().enumerate().take(nr) {
                                let to = i0 + (j0 + j) * m;
                                c[to..to + mr].copy_from_slice(&col[..mr]);
                            }
                        }
                    }
                }
            }
        }
    }
    PACKS.with(|p| *p.borrow_mut() = (apack, bpack));
}

thread_local! {
    /// This thread's packing buffers for A and B (see [`blocked`]).
    static PACKS: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Pack `len` rows (of A) or columns (of B) of a kc-deep block as R-wide
/// panels, each k-major: panel p holds element (kk, p·R + r) of the block,
/// which is `data[base + kk·sk + (p·R + r)·sr]`, at `p·R·kc + kk·R + r`,
/// zero-padded past `len`. Reads run along whichever direction is
/// contiguous in `data`.
#[allow(clippy::too_many_arguments)]
fn pack<const R: usize>(
    buf: &mut [f64],
    data: &[f64],
    base: usize,
    sk: usize,
    sr: usize,
    kc: usize,
    len: usize,
) {
    for (p, r0) in (0..len).step_by(R).enumerate() {
        let width = R.min(len - r0);
        let panel = &mut buf[p * R * kc..(p + 1) * R * kc];
        if sr == 1 && width == R {
            // Whole R-wide rows, copied as fixed-size arrays (no memcpy
            // call per row).
            for (kk, dst) in panel.chunks_exact_mut(R).enumerate() {
                let from = base + kk * sk + r0;
                let src: &[f64; R] = data[from..from + R].try_into().expect("R values");
                let dst: &mut [f64; R] = dst.try_into().expect("R values");
                *dst = *src;
            }
        } else if sr == 1 {
            for (kk, dst) in panel.chunks_exact_mut(R).enumerate() {
                let from = base + kk * sk + r0;
                dst[..width].copy_from_slice(&data[from..from + width]);
                dst[width..].fill(0.0);
            }
        } else if sk == 1 && width == R {
            // A transpose: R source columns read side by side (each
            // contiguous), each destination row written whole.
            let cols: [&[f64]; R] = std::array::from_fn(|r| {
                let from = base + (r0 + r) * sr;
                &data[from..from + kc]
            });
            for (kk, dst) in panel.chunks_exact_mut(R).enumerate() {
                for (d, col) in dst.iter_mut().zip(&cols) {
                    *d = col[kk];
                }
            }
        } else {
            for r in 0..R {
                if r < width {
                    let from = base + (r0 + r) * sr;
                    for (kk, dst) in panel.chunks_exact_mut(R).enumerate() {
                        dst[r] = data[from + kk * sk];
                    }
                } else {
                    for dst in panel.chunks_exact_mut(R) {
                        dst[r] = 0.0;
                    }
                }
            }
        }
    }
}

/// The micro-kernel in plain Rust, 4 × 4.
unsafe fn kernel_portable(
    kc: usize,
    ap: *const f64,
    bp: *const f64,
    c: *mut f64,
    ldc: usize,
    load: bool,
) {
    // SAFETY: the caller guarantees kc·4 values behind each pointer and a
    // 4 × 4 tile at c with column stride ldc.
    let (ap, bp) = unsafe {
        (
            std::slice::from_raw_parts(ap, kc * 4),
            std::slice::from_raw_parts(bp, kc * 4),
        )
    };
    let mut acc = [[0.0f64; 4]; 4];
    if load {
        for (j, col) in acc.iter_mut().enumerate() {
            for (i, v) in col.iter_mut().enumerate() {
                *v = unsafe { *c.add(i + j * ldc) };
            }
        }
    }
    for (a, b) in ap.chunks_exact(4).zip(bp.chunks_exact(4)) {
        for j in 0..4 {
            for i in 0..4 {
                acc[j][i] += a[i] * b[j];
            }
        }
    }
    for (j, col) in acc.iter().enumerate() {
        for (i, &v) in col.iter().enumerate() {
            unsafe { *c.add(i + j * ldc) = v };
        }
    }
}

/// The micro-kernel with wasm f64x2 lanes: the same multiplies and adds as
/// [`kernel_portable`], two rows at a time.
///
/// The 4 × 4 tile lives in eight named f64x2 values, written out rather
/// than looped over: the page's wasm is built for size (`opt-level = "s"`,
/// Cargo.toml's `wasm` profile), where LLVM does not unroll small loops, and
/// a tile indexed in a loop would live in memory instead of registers (half
/// the speed). The operations and their order are the same as a loop's.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
unsafe fn kernel_simd128(
    kc: usize,
    ap: *const f64,
    bp: *const f64,
    cp: *mut f64,
    ldc: usize,
    load: bool,
) {
    use core::arch::wasm32::*;
    // Column j, rows 2h and 2h + 1 of the tile.
    macro_rules! at {
        ($j:expr, $h:expr) => {
            cp.add($j * ldc + 2 * $h) as *mut v128
        };
    }
    let zero = f64x2_splat(0.0);
    let (mut c00, mut c01, mut c10, mut c11) = (zero, zero, zero, zero);
    let (mut c20, mut c21, mut c30, mut c31) = (zero, zero, zero, zero);
    if load {
        (c00, c01, c10, c11) = (
            v128_load(at!(0, 0)),
            v128_load(at!(0, 1)),
            v128_load(at!(1, 0)),
            v128_load(at!(1, 1)),
        );
        (c20, c21, c30, c31) = (
            v128_load(at!(2, 0)),
            v128_load(at!(2, 1)),
            v128_load(at!(3, 0)),
            v128_load(at!(3, 1)),
        );
    }
    for p in 0..kc {
        let a0 = v128_load(ap.add(p * 4) as *const v128);
        let a1 = v128_load(ap.add(p * 4 + 2) as *const v128);
        let b = f64x2_splat(*bp.add(p * 4));
        c00 = f64x2_add(c00, f64x2_mul(a0, b));
        c01 = f64x2_add(c01, f64x2_mul(a1, b));
        let b = f64x2_splat(*bp.add(p * 4 + 1));
        c10 = f64x2_add(c10, f64x2_mul(a0, b));
        c11 = f64x2_add(c11, f64x2_mul(a1, b));
        let b = f64x2_splat(*bp.add(p * 4 + 2));
        c20 = f64x2_add(c20, f64x2_mul(a0, b));
        c21 = f64x2_add(c21, f64x2_mul(a1, b));
        let b = f64x2_splat(*bp.add(p * 4 + 3));
        c30 = f64x2_add(c30, f64x2_mul(a0, b));
        c31 = f64x2_add(c31, f64x2_mul(a1, b));
    }
    v128_store(at!(0, 0), c00);
    v128_store(at!(0, 1), c01);
    v128_store(at!(1, 0), c10);
    v128_store(at!(1, 1), c11);
    v128_store(at!(2, 0), c20);
    v128_store(at!(2, 1), c21);
    v128_store(at!(3, 0), c30);
    v128_store(at!(3, 1), c31);
}

/// The micro-kernel with x86_64's baseline SSE2 (two f64 lanes): the same
/// multiplies and adds as [`kernel_portable`], as in wasm.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::needless_range_loop)] // (j, h) index two arrays at once
unsafe fn kernel_sse2(
    kc: usize,
    ap: *const f64,
    bp: *const f64,
    cp: *mut f64,
    ldc: usize,
    load: bool,
) {
    use core::arch::x86_64::*;
    let mut c = [[_mm_setzero_pd(); 2]; 4];
    if load {
        for j in 0..4 {
            for h in 0..2 {
                c[j][h] = _mm_loadu_pd(cp.add(j * ldc + 2 * h));
            }
        }
    }
    for p in 0..kc {
        let a = [_mm_loadu_pd(ap.add(p * 4)), _mm_loadu_pd(ap.add(p * 4 + 2))];
        for j in 0..4 {
            let b = _mm_set1_pd(*bp.add(p * 4 + j));
            for h in 0..2 {
                c[j][h] = _mm_add_pd(c[j][h], _mm_mul_pd(a[h], b));
            }
        }
    }
    for j in 0..4 {
        for h in 0..2 {
            _mm_storeu_pd(cp.add(j * ldc + 2 * h), c[j][h]);
        }
    }
}

/// The AVX2 micro-kernel, 8 × 6: four rows per 256-bit lane group, a
/// rounded `_mm256_mul_pd` then a rounded `_mm256_add_pd` per term (no FMA),
/// so every entry gets exactly [`kernel_portable`]'s operations.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::needless_range_loop)] // (j, h) index two arrays at once
unsafe fn kernel_avx2(
    kc: usize,
    ap: *const f64,
    bp: *const f64,
    cp: *mut f64,
    ldc: usize,
    load: bool,
) {
    use core::arch::x86_64::*;
    let mut c = [[_mm256_setzero_pd(); 2]; 6];
    if load {
        for j in 0..6 {
            for h in 0..2 {
                c[j][h] = _mm256_loadu_pd(cp.add(j * ldc + 4 * h));
            }
        }
    }
    for p in 0..kc {
        let a = [
            _mm256_loadu_pd(ap.add(p * 8)),
            _mm256_loadu_pd(ap.add(p * 8 + 4)),
        ];
        for j in 0..6 {
            let b = _mm256_set1_pd(*bp.add(p * 6 + j));
            for h in 0..2 {
                c[j][h] = _mm256_add_pd(c[j][h], _mm256_mul_pd(a[h], b));
            }
        }
    }
    for j in 0..6 {
        for h in 0..2 {
            _mm256_storeu_pd(cp.add(j * ldc + 4 * h), c[j][h]);
        }
    }
}

/// The AVX-512F micro-kernel, 16 × 8: eight rows per 512-bit lane group, a
/// rounded `_mm512_mul_pd` then a rounded `_mm512_add_pd` per term (no FMA),
/// so every entry gets exactly [`kernel_portable`]'s operations.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::needless_range_loop)] // (j, h) index two arrays at once
unsafe fn kernel_avx512(
    kc: usize,
    ap: *const f64,
    bp: *const f64,
    cp: *mut f64,
    ldc: usize,
    load: bool,
) {
    use core::arch::x86_64::*;
    let mut c = [[_mm512_setzero_pd(); 2]; 8];
    if load {
        for j in 0..8 {
            for h in 0..2 {
                c[j][h] = _mm512_loadu_pd(cp.add(j * ldc + 8 * h));
            }
        }
    }
    for p in 0..kc {
        let a = [
            _mm512_loadu_pd(ap.add(p * 16)),
            _mm512_loadu_pd(ap.add(p * 16 + 8)),
        ];
        for j in 0..8 {
            let b = _mm512_set1_pd(*bp.add(p * 8 + j));
            for h in 0..2 {
                c[j][h] = _mm512_add_pd(c[j][h], _mm512_mul_pd(a[h], b));
            }
        }
    }
    for j in 0..8 {
        for h in 0..2 {
            _mm512_storeu_pd(cp.add(j * ldc + 8 * h), c[j][h]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn random(rng: &mut Rng, r: usize, c: usize) -> DMatrix<f64> {
        DMatrix::from_fn(r, c, |_, _| rng.normal())
    }

    fn close(x: &DMatrix<f64>, y: &DMatrix<f64>) -> bool {
        x.shape() == y.shape()
            && x.iter()
                .zip(y.iter())
                .all(|(a, b)| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs())))
    }

    /// Shapes around every blocking edge: below, at and above MR, NR, KC,
    /// MC and NC, and empty ones.
    #[test]
    fn products_match_nalgebra() {
        let mut rng = Rng::new(5);
        let shapes = [
            (1, 1, 1),
            (3, 5, 2),
            (4, 4, 4),
            (7, 9, 13),
            (64, 100, 256),
            (64, 512, 10),
            (129, 257, 300),
            (130, 513, 520),
            (33, 100, NC + 7),
            (0, 3, 4),
            (3, 0, 4),
            (3, 4, 0),
        ];
        for &(m, k, n) in &shapes {
            let a = random(&mut rng, m, k);
            let b = random(&mut rng, k, n);
            assert!(close(&mul(&a, &b), &(&a * &b)), "mul {m}×{k}·{k}×{n}");
            let at = a.transpose();
            assert!(
                close(&mul_tn(&at, &b), &at.tr_mul(&b)),
                "mul_tn {m} {k} {n}"
            );
            let bt = b.transpose();
            assert!(
                close(&mul_nt(&a, &bt), &(&a * bt.transpose())),
                "mul_nt {m} {k} {n}"
            );
        }
    }

    /// The symmetric products equal the general ones bit for bit, at sizes
    /// around the block width and the blocking edges, with every kernel,
    /// and on several threads (forced by a product above the threshold).
    #[test]
    fn grams_equal_the_general_products_bit_for_bit() {
        let mut rng = Rng::new(21);
        for &(n, d) in &[
            (1, 1),
            (5, 3),
            (3, 5),
            (40, SYM_BLOCK),
            (SYM_BLOCK + 1, 7),
            (300, 2 * SYM_BLOCK + 5),
            (2 * SYM_BLOCK + 5, 300),
            (0, 4),
            (4, 0),
        ] {
            let x = random(&mut rng, n, d);
            for kernel in Kernel::available() {
                with_kernel(kernel, || {
                    let g = gram_tn(&x);
                    assert_eq!(g, mul_tn(&x, &x), "gram_tn {n}×{d} {kernel:?}");
                    assert_eq!(g, g.transpose());
                    let h = gram_nt(&x);
                    assert_eq!(h, mul_nt(&x, &x), "gram_nt {n}×{d} {kernel:?}");
                    assert_eq!(h, h.transpose());
                });
            }
        }
        // Large enough for threads natively (1100 · 551 · 240 multiply–adds
        // ≥ PARALLEL_WORK): the same bits.
        let big = random(&mut rng, 1100, 240);
        const { assert!(1100 * 551 * 240 >= PARALLEL_WORK) };
        assert_eq!(gram_nt(&big), mul_nt(&big, &big));
        let tall = big.transpose();
        assert_eq!(gram_tn(&tall), mul_tn(&tall, &tall));
        // The general product split among threads (1100 · 1100 · 240) and
        // kept on one.
        let c = mul_nt(&big, &big);
        assert_eq!(c, with_threads(1, || mul_nt(&big, &big)));
        assert_eq!(with_threads(1, || gram_nt(&big)), c);
    }

    /// Each entry is the k-ordered sum, so it equals nalgebra's A·B (which
    /// also accumulates column by column in k order) bit for bit, and the
    /// three entry points agree bit for bit with each other.
    #[test]
    fn sums_in_k_order() {
        let mut rng = Rng::new(9);
        let (m, k, n) = (37, 300, 21);
        let a = random(&mut rng, m, k);
        let b = random(&mut rng, k, n);
        let c = mul(&a, &b);
        let naive = DMatrix::from_fn(m, n, |i, j| {
            let mut s = 0.0;
            for p in 0..k {
                s += a[(i, p)] * b[(p, j)];
            }
            s
        });
        assert_eq!(c, naive);
        assert_eq!(mul_tn(&a.transpose(), &b), c);
        assert_eq!(mul_nt(&a, &b.transpose()), c);
        assert_eq!(&a * &b, c);
    }

    /// Every kernel this machine runs equals the portable kernel bit for
    /// bit, through all three entry points, on shapes at, below and above
    /// every blocking edge: each kernel's MR and NR (4, 6, 8, 16), KC, MC and
    /// NC, 1 × 1, tall, wide and empty.
    #[test]
    fn every_kernel_equals_portable_bit_for_bit() {
        let kernels = Kernel::available();
        assert!(kernels.contains(&Kernel::Portable));
        let mut rng = Rng::new(13);
        let rows = [
            0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 127, 128, 129, 130,
        ];
        let cols = [
            0,
            1,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            11,
            12,
            13,
            17,
            NC - 1,
            NC,
            NC + 1,
        ];
        let depths = [0, 1, 2, 3, KC - 1, KC, KC + 1, 2 * KC + 3];
        let mut shapes = vec![
            (1, 1, 1),
            (1000, 3, 2),
            (2, 3, 1000),
            (3, 1000, 2),
            (1, 700, 1),
        ];
        for _ in 0..160 {
            let pick = |rng: &mut Rng, xs: &[usize]| xs[rng.below(xs.len())];
            let (m, n, k) = (
                pick(&mut rng, &rows),
                pick(&mut rng, &cols),
                pick(&mut rng, &depths),
            );
            if m * n * k <= 4_000_000 {
                shapes.push((m, k, n));
            }
        }
        let bits = |c: &DMatrix<f64>| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for &(m, k, n) in &shapes {
            let mut a = random(&mut rng, m, k);
            let b = random(&mut rng, k, n);
            // Signed zeros and a few exact products, where a slip in the
            // starting value (+0.0) or the rounding would show.
            if m > 0 && k > 0 {
                a[(0, 0)] = -0.0;
                a[(m - 1, k - 1)] = 0.5;
            }
            let (at, bt) = (a.transpose(), b.transpose());
            let want = with_kernel(Kernel::Portable, || {
                [
                    bits(&mul(&a, &b)),
                    bits(&mul_tn(&at, &b)),
                    bits(&mul_nt(&a, &bt)),
                ]
            });
            assert_eq!(want[0], want[1]);
            assert_eq!(want[0], want[2]);
            for &kernel in &kernels {
                let got = with_kernel(kernel, || {
                    [
                        bits(&mul(&a, &b)),
                        bits(&mul_tn(&at, &b)),
                        bits(&mul_nt(&a, &bt)),
                    ]
                });
                assert_eq!(got, want, "{kernel:?}: {m}×{k} · {k}×{n}");
            }
        }
    }

    /// A product of zeros is +0.0 in every kernel (each sum starts at +0.0),
    /// and NaN and infinities land in the same entries. (A NaN's sign and
    /// payload are not compared: IEEE 754 leaves them open, LLVM may commute
    /// an add's operands, and wasm may canonicalise them.)
    #[test]
    fn every_kernel_handles_zeros_and_non_finite_alike() {
        let a = DMatrix::from_fn(19, 5, |i, j| match (i + j) % 4 {
            0 => -0.0,
            1 => f64::INFINITY,
            2 => f64::NAN,
            _ => 1.0,
        });
        let b = DMatrix::from_fn(5, 9, |i, j| if (i * j) % 3 == 0 { -0.0 } else { -2.0 });
        let want: Vec<u64> = with_kernel(Kernel::Portable, || mul(&a, &b))
            .iter()
            .map(|v| if v.is_nan() { 1 } else { v.to_bits() })
            .collect();
        for kernel in Kernel::available() {
            let got: Vec<u64> = with_kernel(kernel, || mul(&a, &b))
                .iter()
                .map(|v| if v.is_nan() { 1 } else { v.to_bits() })
                .collect();
            assert_eq!(got, want, "{kernel:?}");
        }
        let zero = with_kernel(Kernel::detected(), || {
            mul(
                &DMatrix::from_element(3, 2, -0.0),
                &DMatrix::from_element(2, 3, 1.0),
            )
        });
        assert!(
            zero.iter().all(|v| v.to_bits() == 0),
            "-0·1 summed from +0.0 is +0.0"
        );
    }

    /// The `_into` products never read the old contents of `c` (filled
    /// here with NaN, or of another shape): the bits of the plain products,
    /// with every kernel and across the blocking edges.
    #[test]
    fn into_gives_the_plain_products_bits() {
        let mut rng = Rng::new(17);
        for &(m, k, n) in &[
            (5, 3, 7),
            (64, 100, 256),
            (130, 2 * KC + 3, NC + 5),
            (9, 0, 4),
        ] {
            let a = random(&mut rng, k, m);
            let b = random(&mut rng, k, n);
            let at = a.transpose();
            for kernel in Kernel::available() {
                with_kernel(kernel, || {
                    let want = mul_tn(&a, &b);
                    let mut c = DMatrix::from_element(m, n, f64::NAN);
                    mul_tn_into(&mut c, &a, &b);
                    assert_eq!(c, want, "{kernel:?} mul_tn_into");
                    let mut c = DMatrix::from_element(m, n, f64::NAN);
                    mul_into(&mut c, &at, &b);
                    assert_eq!(c, want, "{kernel:?} mul_into");
                    let mut c = DMatrix::from_element(1, 2, f64::NAN);
                    mul_nt_into(&mut c, &at, &b.transpose());
                    assert_eq!(c, want, "{kernel:?} mul_nt_into");
                });
            }
        }
    }

    #[test]
    fn kernel_names_round_trip_and_forcing_restores() {
        for k in Kernel::ALL {
            assert_eq!(Kernel::from_key(k.key()), Some(k));
        }
        assert_eq!(Kernel::from_key("fma"), None);
        let before = current_kernel();
        with_kernel(Kernel::Portable, || {
            assert_eq!(current_kernel(), Kernel::Portable)
        });
        assert_eq!(current_kernel(), before);
    }

    #[test]
    fn non_finite_entries_propagate() {
        let a = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, 0.0, 1.0]);
        let b = DMatrix::identity(2, 2);
        let c = mul(&a, &b);
        assert!(c[(0, 1)].is_nan());
        assert_eq!(c[(1, 1)], 1.0);
    }
}
