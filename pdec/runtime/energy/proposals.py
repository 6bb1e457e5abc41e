"""A neural operator's one-step proposal on a periodic 1-D grid, for the modes ``eno``
and ``fno`` of :class:`~pdec.runtime.energy.model.EnergyModel`.

:class:`FourierProposal` is a Fourier neural operator S (:mod:`pdec.runtime.operator.fno`,
periodic, coordinates as cos/sin channels) read as a rate: the proposed next state is

    û = u + Δt S(u).

Alone (mode ``fno``) that is the plain neural-operator baseline: nothing ties û to an
energy. In mode ``eno`` it is the first guess of the discrete-gradient step
u_{n+1} − u_n = Δt G ∇̄H(u_{n+1}, u_n), solved to tolerance from there, so the energy law
holds exactly whatever S proposes; training pulls S towards the data and towards that
law (Tanaka, Yaguchi, Iwata & Ueda, AISTATS 2025: the energy-consistency penalty), so
the solve starts close and the operator's resolution independence carries over.
"""

from __future__ import annotations

import torch
from torch import Tensor

from pdec.runtime.energy.networks import Scaled
from pdec.runtime.operator.fno import FourierNeuralOperator
from pdec.runtime.options import check_sizes


class FourierProposal(Scaled):
    """S(u): states (B, fields, N) or (B, N) for one field → a rate of the same shape.

    ``modes`` Fourier modes (a grid of N points holds (N + 1) // 2 of them),
    ``width`` channels, ``layers`` Fourier layers, on ``domain`` (periodic). Inputs are
    standardised per field and the output scaled by calibration, as the energy
    target's other networks are.

    >>> S = FourierProposal(1, modes=4, width=8, layers=2, domain=(0.0, 1.0))
    >>> S(torch.randn(3, 16, dtype=torch.float64)).shape
    torch.Size([3, 16])
    """

    def __init__(
        self,
        fields: int = 1,
        modes: int = 16,
        width: int = 32,
        layers: int = 4,
        domain: tuple[float, float] = (0.0, 1.0),
        *,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        check_sizes(fno_modes=(modes, 1), fno_width=(width, 1), fno_layers=(layers, 1))
        self.fields = fields
        if generator is not None:  # the FNO's layers draw from torch's global generator
            seed = int(torch.randint(0, 2**62, (), generator=generator))
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                network = self._network(fields, modes, width, layers, domain)
        else:
            network = self._network(fields, modes, width, layers, domain)
        complex_dtype = torch.cdouble if dtype == torch.float64 else torch.cfloat
        for parameter in network.parameters():  # the spectral weights stay complex
            parameter.data = parameter.data.to(complex_dtype if parameter.is_complex() else dtype)
        self.network = network
        self._register_scaling((fields, 1), dtype)

    @staticmethod
    def _network(fields, modes, width, layers, domain) -> FourierNeuralOperator:
        return FourierNeuralOperator(
            fields,
            fields,
            modes=(modes,),
            width=width,
            layers=layers,
            projection=2 * width,
            domain=[domain],
            periodic=[True],
        )

    def _layout(self, u: Tensor) -> Tensor:
        return u.reshape(u.shape[0], self.fields, -1)

    def forward(self, u: Tensor) -> Tensor:
        return self._apply_network(u).reshape(u.shape)
