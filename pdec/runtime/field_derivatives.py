"""The fields of a PINN and their partial derivatives at the network inputs.

``FieldDerivatives`` is the part of :class:`~pdec.runtime.model.PinnModel` that turns
network inputs into field values (``network_fields``) and into the derivatives a
residual asks for (``network_jets``): pushed forward with the values as jets
(:mod:`pdec.runtime.jets`) where :meth:`FieldDerivatives.uses_jets` allows, otherwise by
nested autograd (:mod:`pdec.runtime.autodiff`). It is a mixin rather than functions of
the model so that its methods stay methods: generated subclasses override
``network_fields`` (which :meth:`~FieldDerivatives.uses_jets` detects) and ``eager_methods``
names ``_map_jets`` for :class:`pdec.runtime.losses.LossTerms` to wrap. Kept apart from
``model.py`` because the derivative machinery is one job, and ``model.py`` is the
model's construction, prediction, evaluation and files.

The class using it provides what ``PinnModel`` declares: ``embedding`` and ``network``
(the modules), ``unknown_fields``, ``config``, ``dtype`` and ``device``; the class
attributes ``coordinates``, ``network_inputs``, ``field_names``, ``unknowns`` and
``lifted``; and the methods ``from_network`` and ``lift``.
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
    eager_methods: ClassVar[tuple[str, ...]] = ("_map_jets",)

    def network_fields(self, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
        """Network inputs (1-D tensors, broadcast together) -> {field: 1-D tensor}."""
        columns = self._columns(inputs)
        given = dict(zip(self.network_inputs, columns))
        coords = self.from_network(given) if self.lifted or len(self.unknown_fields) else None
        seen = [coords[name] for name in self.coordinates] if self.lifted else columns
        out = self.network(self.embedding(torch.stack(seen, dim=1)))
        fields = {name: out[:, k] for k, name in enumerate(self.field_names)}
        if self.lifted:
            for name, known in self.lift(given).items():
                fields[name] = fields[name] + known
        for name, network in self.unknown_fields.items():
            fields[name] = network(coords).expand(len(out))
        return fields

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
        if self.uses_jets(max([0] + [len(along) for _, along in wanted.values()])):
            return self._jets(inputs, wanted)
        return self._autograd_derivatives(inputs, wanted)

    def uses_jets(self, order: int = jets.MAX_ORDER) -> bool:
        """Whether derivatives up to ``order`` come from forward jets: the option
        allows it, the fields are the plain network (or, lifted, the network of the
        user's coordinates plus the known lift; no unknowns, no subclass overriding
        ``network_fields``) and its layers are supported."""
        return (
            self.config["derivatives"] == "auto"
            and order <= jets.MAX_ORDER
            and not self.unknowns
            and type(self).network_fields is FieldDerivatives.network_fields
            and jets.supports(self.embedding, self.network)
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
        # the inputs differentiated along, and second derivatives as pairs of positions
        # in that list
        along_any = {name for _, along in wanted.values() for name in along}
        names = [name for name in self.network_inputs if name in along_any]
        position = {name: k for k, name in enumerate(names)}
        pairs = tuple(
            sorted(
                {
                    tuple(position[name] for name in along)
                    for _, along in wanted.values()
                    if len(along) == 2
                }
            )
        )
        if self.lifted:
            jet = self._lifted_jet(dict(zip(self.network_inputs, columns)), names, pairs)
        else:
            directions = tuple(self.network_inputs.index(name) for name in names)
            z = jets.seed(torch.stack(columns, dim=1), directions, pairs)
            jet = jets.network_jet(self.embedding, self.network, z)
        fields = {name: jet.value[:, k] for k, name in enumerate(self.field_names)}
        out = dict(fields)
        for local, (field, along) in wanted.items():
            k = self.field_names.index(field)
            if len(along) == 0:
                out[local] = fields[field]
            elif len(along) == 1:
                out[local] = jet.first[position[along[0]], :, k]
            else:
                pair = tuple(position[name] for name in along)
                out[local] = jet.second[pairs.index(pair), :, k]
        return out

    def _lifted_jet(self, given: dict[str, Tensor], names: list[str], pairs) -> jets.Jet:
        """lift + N(from_network(inputs)), the network's jet pushed forward from the
        coordinate map's."""
        coordinates, known = self._map_jets(given, names, pairs)
        return jets.network_jet(self.embedding, self.network, coordinates) + known

    def _map_jets(self, given, names, pairs) -> tuple[jets.Jet, jets.Jet]:
        """The jets of the coordinate map (network inputs -> the user's coordinates the
        network sees) and of the lift, by autograd: they hold no weights, so this is
        cheap and stays out of the training graph."""
        leaves = {
            name: value.detach().requires_grad_(name in names) for name, value in given.items()
        }
        wrt = tuple(leaves[name] for name in names)
        coords = self.from_network(leaves)
        z = torch.stack([coords[name] for name in self.coordinates], dim=1)
        lift = self.lift(leaves)
        zero = torch.zeros_like(z[:, 0])
        known = torch.stack([lift.get(name, zero) for name in self.field_names], dim=1)
        return jets.of_map(z, wrt, pairs), jets.of_map(known, wrt, pairs)

    def _autograd_derivatives(self, inputs, wanted) -> dict[str, Tensor]:
        along_any = {name for _, along in wanted.values() for name in along}
        leaves = {
            name: torch.as_tensor(value, dtype=self.dtype, device=self.device)
            .detach()
            .requires_grad_(name in along_any)
            for name, value in inputs.items()
        }
        fields = self.network_fields(leaves)
        known = {(field, ()): value for field, value in fields.items()}
        # every prefix of a wanted derivative, by order: a parent before its children
        needed = {(f, along[:k]) for f, along in wanted.values() for k in range(len(along) + 1)}
        for order in range(1, max(len(along) for _, along in needed) + 1):
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
