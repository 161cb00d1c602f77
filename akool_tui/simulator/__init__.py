"""A local server that answers like AKool's Live Avatar open API.

>>> from akool_tui.simulator import SimulatorConfig, run_background
>>> with run_background(SimulatorConfig(churn=False)) as sim:   # doctest: +SKIP
...     print(sim.base_url)                                      # http://127.0.0.1:PORT
"""

from .app import create_app
from .config import SimulatorConfig
from .server import RunningSimulator, run_background
from .state import SimError, SimulatorState

__all__ = [
    "RunningSimulator",
    "SimError",
    "SimulatorConfig",
    "SimulatorState",
    "create_app",
    "run_background",
]
