"""The fields of a PINN and their partial derivatives at the network inputs.

``FieldDerivatives`` is the part of :class:`~pdec.runtime.model.PinnModel` that turns
network inputs into field values (``network_fields``) and into the derivatives a
residual asks for (``network_jets``): pushed forward with the values as jets
(:mod:`pdec.runtime.jets`) where :meth:`FieldDerivatives.uses_jets` allows, otherwise by
nested autograd (:mod:`pdec.runtime.autodiff`). It is a mixin rather than functions of
the model so that its methods stay methods: generated subclasses override
``network_fields`` (which :meth:`~FieldDerivatives.uses_jets` detects) and ``eager_methods``
names ``_map_jets`` and ``coefficient_jets`` for :class:`pdec.runtime.losses.LossTerms` to
wrap. Tabulated parameters and their derivatives come from ``coefficient_jets``, apart
from the networks (a subclass overriding ``network_fields`` keeps them). Kept apart from
``model.py`` because the derivative machinery is one job, and ``model.py`` is the
model's construction, prediction, evaluation and files.

The class using it provides what ``PinnModel`` declares: ``embedding`` and ``network``
(the modules), ``unknown_fields``, ``own_fields``, ``coefficients``, ``shared_fields``,
``config``, ``dtype`` and ``device``; the class attributes ``coordinates``,
``network_inputs``, ``field_names``, ``unknowns`` and ``lifted``; and the methods
``from_network`` and ``lift``.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from pdec.runtime import autodiff, jets


class FieldDerivatives:
    """The fields at the network inputs, with their derivatives; see the module
    docstring."""

    # Methods that must run eagerly inside compiled residuals (autograd.grad inside
    # compiled code would need double backward). ``torch.compiler.disable`` is applied to
    # them only when compiling (:class:`pdec.runtime.losses.LossTerms`), not as a
    # decorator: that would import torch._dynamo, hence SymPy, with the runtime.
    eager_methods: ClassVar[tuple[str, ...]] = ("_map_jets", "_form_jets", "coefficient_jets")

    def boundary_form(self, inputs: dict[str, Tensor]) -> dict[str, tuple[Tensor, Tensor]]:
        """Conditions built into the output (hard constraints; applied when the option
        ``hard`` is on), at the network inputs: ``{field: (g, φ)}`` makes the field
        g + φ·F, F what it is without them, so that it equals g wherever φ = 0 whatever
        the network says (:mod:`pdec.runtime.hard`). None by default; the PINN target
        writes it for Dirichlet conditions on box sides and circles. g and φ hold no
        weights; their derivatives come by autograd, so they must be differentiable
        functions of the inputs."""
        return {}

    def network_fields(self, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
        """Network inputs (1-D tensors, broadcast together) -> {field: 1-D tensor}."""
        columns = self._columns(inputs)
        given = dict(zip(self.network_inputs, columns))
        own = self._own_networks()
        coords = self.from_network(given) if self.lifted or own else None
        seen = [coords[name] for name in self.coordinates] if self.lifted else columns
        out = self.network(self.embedding(torch.stack(seen, dim=1)))
        fields = {name: out[:, k] for k, name in enumerate(self.shared_fields)}
        if self.lifted:
            for name, known in self.lift(given).items():
                fields[name] = fields[name] + known
        for name, network in own.items():
            fields[name] = network(coords).expand(len(out))
        if self.config["hard"]:
            for name, (g, phi) in self.boundary_form(given).items():
                fields[name] = g + phi * fields[name]
        return fields

    def coefficient_jets(
        self, inputs: dict[str, Tensor], derivatives: dict[str, tuple[str, ...]]
    ) -> dict[str, Tensor]:
        """The tabulated parameters (``coefficient_tables``) at the network inputs and
        the derivatives ``derivatives`` names, as :meth:`network_jets` (``{"k_x": ("k",
        "x")}``). By autograd through the interpolant (through ``from_network`` where
        the network sees other coordinates): the exact derivatives of the piecewise
        multilinear function the model uses. Detached, as no weight is in them (and
        computed with gradients on even under ``no_grad``, which would zero them)."""
        wanted = {local: (name, tuple(along)) for local, (name, *along) in derivatives.items()}
        with torch.enable_grad():
            out = self._autograd_derivatives(inputs, wanted, self._coefficient_values)
        return {name: value.detach() for name, value in out.items()}

    def _coefficient_values(self, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
        columns = self._columns(inputs)
        coords = self.from_network(dict(zip(self.network_inputs, columns)))
        return {name: table(coords) for name, table in self.coefficients.items()}

    def _own_networks(self) -> dict:
        """The networks of their own arguments: fields of fewer arguments, then unknown
        parameter fields (in the order of ``network_fields``' outputs)."""
        return {**self.own_fields, **self.unknown_fields}

    def network_jets(
        self, inputs: dict[str, Tensor], derivatives: dict[str, tuple[str, ...]]
    ) -> dict[str, Tensor]:
        """The fields at the network inputs and the derivatives ``derivatives`` names:
        ``{"u_xx": ("u", "x", "x")}`` asks for ∂²u/∂x² under the key ``u_xx``.

        Pushed forward with the values (:mod:`pdec.runtime.jets`: training then needs
        one backward pass, not a double one) where :meth:`uses_jets` allows; otherwise
        by nested autograd, the derivatives of one parent from one backward pass.
        """
        wanted = {
            local: (field, tuple(sorted(along, key=self.network_inputs.index)))
            for local, (field, *along) in derivatives.items()
        }
        if self.uses_jets():
            return self._jets(inputs, wanted)
        return self._autograd_derivatives(inputs, wanted)

    def uses_jets(self) -> bool:
        """Whether derivatives come from forward jets, of any order: the option allows
        it, the fields are the plain network (or, lifted, the network of the user's
        coordinates plus the known lift) and the unknown fields' networks, with no
        subclass overriding ``network_fields``, and every network's layers are
        supported."""
        return (
            self.config["derivatives"] == "auto"
            and type(self).network_fields is FieldDerivatives.network_fields
            and jets.supports(self.embedding, self.network)
            and all(jets.supports(f.embedding, f.network) for f in self._own_networks().values())
        )

    def _columns(self, inputs: dict[str, Tensor]) -> list[Tensor]:
        """The network inputs in order, in the model's dtype and device, broadcast."""
        return torch.broadcast_tensors(
            *(
                torch.as_tensor(inputs[name], dtype=self.dtype, device=self.device)
                for name in self.network_inputs
            )
        )

    def _jets(self, inputs, wanted) -> dict[str, Tensor]:
        columns = self._columns(inputs)
        # the inputs differentiated along, and each wanted derivative as an index: the
        # positions of its directions in that list (jets.Index)
        along_any = {name for _, along in wanted.values() for name in along}
        names = [name for name in self.network_inputs if name in along_any]
        position = {name: k for k, name in enumerate(names)}
        indices = {local: tuple(position[n] for n in along) for local, (_, along) in wanted.items()}
        keys = jets.closure(index for index in indices.values() if index)
        given = dict(zip(self.network_inputs, columns))
        coordinates = known = None
        own = self._own_networks()
        if self.lifted or own:
            coordinates, known = self._map_jets(given, names, keys)
        if self.lifted:
            jet = jets.network_jet(self.embedding, self.network, coordinates) + known
        else:
            directions = tuple(self.network_inputs.index(name) for name in names)
            z = jets.seed(torch.stack(columns, dim=1), directions, keys)
            jet = jets.network_jet(self.embedding, self.network, z)
        # fields of fewer arguments and unknown fields: their networks of the user's
        # coordinates (their arguments; the others' derivatives are exactly 0)
        parts = [jet]
        for field in own.values():
            chosen = [self.coordinates.index(name) for name in field.args]
            part = jets.network_jet(
                field.embedding, field.network, jets.columns(coordinates, chosen)
            )
            parts.append(jets.activate(part, "exp") if field.positive else part)
        jet = jets.concat(parts) if len(parts) > 1 else jet
        names_out = (*self.shared_fields, *own)
        # decided here, not in _form_jets: a call to that eager method inside compiled
        # residuals breaks the graph, even when it would return None
        if self.config["hard"]:
            form = self._form_jets(given, names, keys, names_out)
            if form is not None:
                g, phi = form
                jet = g + jets.multiply(phi, jet)
        out = {name: jet.value[:, k] for k, name in enumerate(names_out)}
        for local, (field, _) in wanted.items():
            out[local] = jet.derivative(indices[local])[:, names_out.index(field)]
        return out

    def _map_jets(self, given, names, keys) -> tuple[jets.Jet, jets.Jet]:
        """The jets of the coordinate map (network inputs -> the user's coordinates, which
        a lifted network and the unknown fields see) and of the lift, by autograd: they
        hold no weights, so this is cheap and stays out of the training graph."""
        leaves, wrt = _leaves(given, names)
        coords = self.from_network(leaves)
        z = torch.stack([coords[name] for name in self.coordinates], dim=1)
        lift = self.lift(leaves) if self.lifted else {}
        zero = torch.zeros_like(z[:, 0])
        known = torch.stack([lift.get(name, zero) for name in self.shared_fields], dim=1)
        return jets.of_map(z, wrt, keys), jets.of_map(known, wrt, keys)

    def _form_jets(self, given, names, keys, fields) -> tuple[jets.Jet, jets.Jet] | None:
        """The jets of :meth:`boundary_form`'s g and φ for the columns ``fields`` (g = 0,
        φ = 1 where a field has none), by autograd like :meth:`_map_jets`; None when
        nothing is built in."""
        leaves, wrt = _leaves(given, names)
        form = self.boundary_form(leaves)
        if not form:
            return None
        first = next(iter(leaves.values()))

        def column(value) -> Tensor:  # a number or a tensor, as a column of the points
            return torch.as_tensor(value, dtype=first.dtype, device=first.device).expand_as(first)

        g = torch.stack([column(form[f][0] if f in form else 0.0) for f in fields], dim=1)
        phi = torch.stack([column(form[f][1] if f in form else 1.0) for f in fields], dim=1)
        return jets.of_map(g, wrt, keys), jets.of_map(phi, wrt, keys)

    def _autograd_derivatives(self, inputs, wanted, evaluate=None) -> dict[str, Tensor]:
        """The derivatives ``wanted`` of what ``evaluate`` (default: ``network_fields``)
        gives, by nested autograd."""
        along_any = {name for _, along in wanted.values() for name in along}
        leaves = {
            name: torch.as_tensor(value, dtype=self.dtype, device=self.device)
            .detach()
            .requires_grad_(name in along_any)
            for name, value in inputs.items()
        }
        fields = (evaluate or self.network_fields)(leaves)
        known = {(field, ()): value for field, value in fields.items()}
        # every prefix of a wanted derivative, by order: a parent before its children
        needed = {(f, along[:k]) for f, along in wanted.values() for k in range(len(along) + 1)}
        for order in range(1, max((len(along) for _, along in needed), default=0) + 1):
            groups: dict[tuple, list[str]] = {}
            for field, along in sorted(needed):
                if len(along) == order:
                    groups.setdefault((field, along[:-1]), []).append(along[-1])
            for (field, parent), names in groups.items():
                wrt = tuple(leaves[name] for name in names)
                values = autodiff.derivatives(known[(field, parent)], wrt)
                for name, value in zip(names, values):
                    known[(field, parent + (name,))] = value
        out = dict(fields)
        out.update({local: known[key] for local, key in wanted.items()})
        return out


def _leaves(given: dict[str, Tensor], names) -> tuple[dict[str, Tensor], tuple[Tensor, ...]]:
    """The inputs as fresh autograd leaves (requiring grad along ``names``), and those
    leaves in the order of ``names``: what :func:`jets.of_map` differentiates."""
    leaves = {name: value.detach().requires_grad_(name in names) for name, value in given.items()}
    return leaves, tuple(leaves[name] for name in names)
