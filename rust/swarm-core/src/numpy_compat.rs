//! numpy's float64 reductions, reproduced bit for bit for the collusion
//! detector (spec §20.5, governance spec §16): `np.sum` (pairwise
//! summation), `np.mean`, `np.std` (population) and `np.corrcoef`, whose
//! dot products OpenBLAS computes as sequential fused multiply-adds.

/// numpy's pairwise summation of a contiguous float64 array (the reduction
/// starts from the identity 0.0, then adds the pairwise sum).
pub fn pairwise_sum(a: &[f64]) -> f64 {
    0.0 + pairwise(a)
}

fn pairwise(a: &[f64]) -> f64 {
    pairwise_of(a, |x| x)
}

/// The pairwise sum of `f` of each element: numpy's summation of the array
/// `f(a)`, without building it (`f` is applied as each element is read).
fn pairwise_of(a: &[f64], f: impl Fn(f64) -> f64 + Copy) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += f(x);
        }
        res
    } else if n <= 128 {
        let mut r: [f64; 8] = std::array::from_fn(|j| f(a[j]));
        let body = n - n % 8;
        let mut i = 8;
        while i < body {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += f(a[i + j]);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[body..] {
            res += f(x);
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_of(&a[..n2], f) + pairwise_of(&a[n2..], f)
    }
}

/// `np.mean(a)`.
pub fn mean(a: &[f64]) -> f64 {
    pairwise_sum(a) / a.len() as f64
}

/// `np.std(a)` (ddof = 0): sqrt(Σ (x − mean)² / n), each sum pairwise.
pub fn std(a: &[f64]) -> f64 {
    let m = mean(a);
    let squares = 0.0
        + pairwise_of(a, |x| {
            let d = x - m;
            d * d
        });
    (squares / a.len() as f64).sqrt()
}

/// `np.corrcoef(x, y)[0, 1]`: centred rows, BLAS dot products (sequential
/// FMA from 0.0, exact for series up to 256 long), scaled by 1/(n − 1),
/// divided by each standard deviation in turn, clipped to [−1, 1].
pub fn corrcoef_01(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let f = 1.0 / (x.len() as f64 - 1.0);
    let c00 = dot((x, mx), (x, mx)) * f;
    let c11 = dot((y, my), (y, my)) * f;
    let c01 = dot((x, mx), (y, my)) * f;
    let r = c01 / c00.sqrt() / c11.sqrt();
    if r.is_nan() {
        r
    } else {
        r.clamp(-1.0, 1.0)
    }
}

/// A row centred on its mean: element i is `row[i] - mean`, computed as
/// it is read.
type Centred<'a> = (&'a [f64], f64);

/// Sequential fused multiply-adds from 0.0 over two centred rows. A fused
/// multiply-add rounds once whoever computes it, so the CPU's instruction
/// (checked at run time) gives the same sums as the library routine, many
/// times faster.
fn dot(a: Centred, b: Centred) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU was just checked to support FMA.
        return unsafe { dot_fma(a, b) };
    }
    dot_generic(a, b)
}

#[inline(always)]
fn dot_generic((a, ma): Centred, (b, mb): Centred) -> f64 {
    a.iter().zip(b).fold(0.0f64, |s, (&p, &q)| (p - ma).mul_add(q - mb, s))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
fn dot_fma(a: Centred, b: Centred) -> f64 {
    dot_generic(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_blocks_match_numpy_shape() {
        // Integers sum exactly in any order; this checks coverage of every
        // branch (n < 8, the 8-accumulator block, the recursive split).
        for n in [0usize, 1, 7, 8, 9, 16, 127, 128, 129, 300, 1000] {
            let a: Vec<f64> = (0..n).map(|i| i as f64).collect();
            assert_eq!(pairwise_sum(&a), (n * n.saturating_sub(1) / 2) as f64);
        }
    }

    #[test]
    fn reductions_match_numpy_vectors() {
        // numpy 2.4: np.std / np.corrcoef of these series.
        let b: Vec<f64> = vec![
            0.0,
            0.27,
            0.16999999999999998,
            0.06999999999999995,
            0.33999999999999997,
            0.24,
            0.1399999999999999,
            0.039999999999999925,
            0.30999999999999994,
            0.20999999999999996,
            0.10999999999999999,
            0.009999999999999898,
        ];
        assert_eq!(std(&b), 0.11161379345264137);
        let same = [0.1, 0.2, 0.3, 0.1];
        assert_eq!(corrcoef_01(&same, &same), 1.0);
    }

    #[test]
    fn hardware_and_library_fma_agree() {
        // Values whose products round differently fused and unfused.
        let a: Vec<f64> = (1..300).map(|i| 0.1 * i as f64 + 1.0 / (i as f64 * 7.0)).collect();
        let b: Vec<f64> = (1..300).map(|i| 1.0 / 3.0 - 0.01 * i as f64).collect();
        for n in [0, 1, 2, 17, 299] {
            let (x, y) = (&a[..n], &b[..n]);
            for (mx, my) in [(0.0, 0.0), (0.1, 1.0 / 3.0)] {
                let (cx, cy) = ((x, mx), (y, my));
                assert_eq!(dot(cx, cy).to_bits(), dot_generic(cx, cy).to_bits(), "n = {n}");
            }
        }
        let unfused = a.iter().zip(&b).fold(0.0f64, |s, (&p, &q)| s + p * q);
        let fused = dot((&a, 0.0), (&b, 0.0));
        assert_ne!(fused.to_bits(), unfused.to_bits(), "inputs too tame to tell");
    }
}
