//! The one place where core errors become Python exceptions.

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use swarm_core::SwarmError;

/// `Config` → `swarm_fast.ScenarioError` (a ValueError), `Interrupted` →
/// KeyboardInterrupt, `Internal` → RuntimeError.
pub fn to_py(py: Python<'_>, e: SwarmError) -> PyErr {
    match e {
        SwarmError::Config(msg) => match scenario_error(py) {
            Ok(cls) => PyErr::from_type(cls, msg),
            Err(_) => PyValueError::new_err(msg),
        },
        SwarmError::Interrupted => PyKeyboardInterrupt::new_err("swarm_fast run interrupted"),
        SwarmError::Internal(msg) => {
            PyRuntimeError::new_err(format!("swarm_fast internal error: {msg}"))
        }
    }
}

fn scenario_error(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyType>> {
    let module = py.import("swarm_fast.errors")?;
    Ok(module.getattr("ScenarioError")?.downcast_into::<pyo3::types::PyType>()?)
}
