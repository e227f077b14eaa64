//! Every GEMM micro-kernel this machine runs gives a lab run the same result
//! hash (issue 13): the wide native kernels change no bit of what the page,
//! whose wasm build uses the two-lane kernel, computes.

use neurogeom::gemm::{self, Kernel};
use neurogeom::labs;
use neurogeom::run;
use neurogeom::share::parse_link;

fn hash_with(kernel: Kernel, fragment: &str) -> String {
    let p = parse_link(fragment);
    assert!(p.warnings.is_empty(), "{fragment}: {:?}", p.warnings);
    let (config, warnings) = labs::check(&p.config);
    assert!(warnings.is_empty(), "{warnings:?}");
    gemm::with_kernel(kernel, || run::run_to_end(&config).0.hash)
}

fn same_hash_with_every_kernel(fragment: &str) {
    let want = hash_with(Kernel::Portable, fragment);
    for kernel in Kernel::available() {
        assert_eq!(hash_with(kernel, fragment), want, "{kernel:?}: {fragment}");
    }
}

#[test]
fn lazy_rich_hash_is_the_same_with_every_kernel() {
    same_hash_with_every_kernel(
        "v=1&lab=lazy-rich&seed=3&task=teacher&alpha=0.3&width=48&n_train=40&steps=150",
    );
}

#[test]
fn credit_hash_is_the_same_with_every_kernel() {
    same_hash_with_every_kernel("v=1&lab=credit&seed=2&steps=60");
}

/// The machine the benchmarks ran on has AVX2 and AVX-512F; where the CPU
/// has them, they must be offered (the tests above then cover them).
#[test]
fn detected_kernels_follow_the_cpu() {
    #[cfg(target_arch = "x86_64")]
    {
        assert!(Kernel::available().contains(&Kernel::Simd2));
        assert_eq!(
            Kernel::Avx2.is_available(),
            std::arch::is_x86_feature_detected!("avx2")
        );
        assert_eq!(
            Kernel::Avx512.is_available(),
            std::arch::is_x86_feature_detected!("avx512f")
        );
    }
}
