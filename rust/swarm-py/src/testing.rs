//! Private hooks that expose the core's RNG and numpy ports to the test
//! suite, so they can be checked live against CPython and numpy.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use swarm_core::numpy_compat as np;
use swarm_core::rng::{NumpyPcg64, PyRandom};

/// Run a script of operations on `random.Random(seed)`'s port. Ops:
/// ("random",), ("getrandbits", k), ("randbelow", n), ("randint", a, b),
/// ("uniform", a, b), ("gauss", mu, sigma), ("choice", n) -> index,
/// ("shuffle", n) -> the shuffled list of range(n).
#[pyfunction]
fn _py_random_ops(
    py: Python<'_>,
    seed: i128,
    ops: Vec<Bound<'_, PyTuple>>,
) -> PyResult<Vec<PyObject>> {
    let mut r = PyRandom::new(seed);
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let name: String = op.get_item(0)?.extract()?;
        let value = match name.as_str() {
            "random" => r.random().into_pyobject(py)?.into_any().unbind(),
            "getrandbits" => {
                let k: u32 = op.get_item(1)?.extract()?;
                if !(1..=64).contains(&k) {
                    return Err(PyValueError::new_err("k must be in 1..=64"));
                }
                r.getrandbits(k).into_pyobject(py)?.into_any().unbind()
            }
            "randbelow" | "choice" => {
                let n: u64 = op.get_item(1)?.extract()?;
                if n == 0 {
                    return Err(PyValueError::new_err("n must be >= 1"));
                }
                r.randbelow(n).into_pyobject(py)?.into_any().unbind()
            }
            "randint" => {
                let (a, b): (i64, i64) = (op.get_item(1)?.extract()?, op.get_item(2)?.extract()?);
                if b < a {
                    return Err(PyValueError::new_err("empty range"));
                }
                r.randint(a, b).into_pyobject(py)?.into_any().unbind()
            }
            "uniform" => {
                let (a, b): (f64, f64) = (op.get_item(1)?.extract()?, op.get_item(2)?.extract()?);
                r.uniform(a, b).into_pyobject(py)?.into_any().unbind()
            }
            "gauss" => {
                let (m, s): (f64, f64) = (op.get_item(1)?.extract()?, op.get_item(2)?.extract()?);
                r.gauss(m, s).into_pyobject(py)?.into_any().unbind()
            }
            "shuffle" => {
                let n: usize = op.get_item(1)?.extract()?;
                let mut x: Vec<usize> = (0..n).collect();
                r.shuffle(&mut x);
                x.into_pyobject(py)?.into_any().unbind()
            }
            other => return Err(PyValueError::new_err(format!("unknown op {other:?}"))),
        };
        out.push(value);
    }
    Ok(out)
}

/// Run a script on `numpy.random.default_rng(seed)`'s port. Ops:
/// ("random",), ("integers", n) -> integers(0, n).
#[pyfunction]
fn _pcg64_ops(py: Python<'_>, seed: u64, ops: Vec<Bound<'_, PyTuple>>) -> PyResult<Vec<PyObject>> {
    let mut g = NumpyPcg64::new(seed);
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let name: String = op.get_item(0)?.extract()?;
        let value = match name.as_str() {
            "random" => g.random().into_pyobject(py)?.into_any().unbind(),
            "integers" => {
                let n: u64 = op.get_item(1)?.extract()?;
                if !(1..=1u64 << 32).contains(&n) {
                    return Err(PyValueError::new_err("n must be in 1..=2**32"));
                }
                g.integers(n).into_pyobject(py)?.into_any().unbind()
            }
            other => return Err(PyValueError::new_err(format!("unknown op {other:?}"))),
        };
        out.push(value);
    }
    Ok(out)
}

#[pyfunction]
fn _np_pairwise_sum(a: Vec<f64>) -> f64 {
    np::pairwise_sum(&a)
}

#[pyfunction]
fn _np_mean(a: Vec<f64>) -> PyResult<f64> {
    if a.is_empty() {
        return Err(PyValueError::new_err("empty"));
    }
    Ok(np::mean(&a))
}

#[pyfunction]
fn _np_std(a: Vec<f64>) -> PyResult<f64> {
    if a.is_empty() {
        return Err(PyValueError::new_err("empty"));
    }
    Ok(np::std(&a))
}

#[pyfunction]
fn _np_corrcoef_01(x: Vec<f64>, y: Vec<f64>) -> PyResult<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return Err(PyValueError::new_err("need two series of the same length >= 2"));
    }
    Ok(np::corrcoef_01(&x, &y))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_py_random_ops, m)?)?;
    m.add_function(wrap_pyfunction!(_pcg64_ops, m)?)?;
    m.add_function(wrap_pyfunction!(_np_pairwise_sum, m)?)?;
    m.add_function(wrap_pyfunction!(_np_mean, m)?)?;
    m.add_function(wrap_pyfunction!(_np_std, m)?)?;
    m.add_function(wrap_pyfunction!(_np_corrcoef_01, m)?)?;
    Ok(())
}
