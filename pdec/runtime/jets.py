"""Derivatives of the PINN's network by forward propagation of jets (Taylor mode).

A residual needs a few derivatives of the network output with respect to its inputs —
u_t, u_x and u_xx for Burgers, u_xxx for KdV, u_xxxx and u_xxyy for a biharmonic
equation. Nested ``torch.autograd.grad`` gets them by differentiating backward passes,
and training differentiates those again: a backward through a backward through every
layer, once per order. Here the derivatives are pushed *forward* with the values
instead: for a layer a = W h + b followed by h' = σ(a),

    a_α = W h_α                       h'_α = Σ_π σ^(|π|)(a) Π_{B ∈ π} a_B

for every derivative index α (a multiset of input directions: α = (x, x, y) is
∂³/∂x²∂y), the sum running over the partitions π of α into blocks B (Faà di Bruno's
formula). To first and second order that is

    h'_i  = σ'(a) a_i                 h'_ij = σ'(a) a_ij + σ''(a) a_i a_j,

written out by hand below for speed. The residual becomes an ordinary forward
expression of the weights, and training needs a single backward pass. That is fewer
kernels than the nested backward passes, and it goes through ``torch.compile``, which
does not support double backward.

A :class:`Jet` carries, for each order k, the derivatives of every index of that order
that some wanted derivative needs: Faà di Bruno's blocks are sub-multisets of α, so the
set of indices is closed under taking sub-multisets (:func:`closure`). A biharmonic in
(x, y) asks for xxxx, xxyy and yyyy and carries the 12 indices of orders 1 to 4 below
them.

Supported: the :class:`~pdec.runtime.network.Embedding` (affine, periodic, Fourier
features), ``tanh`` and ``sin`` activations (and ``exp``, for positive unknown fields),
derivatives of any order. :func:`supports` says whether a network qualifies;
``PinnModel.network_jets`` falls back to nested autograd where it does not.

>>> import torch
>>> from pdec.runtime.network import Embedding, multilayer_perceptron
>>> embedding = Embedding(("t", "x"), {"t": (0, 1), "x": (-1, 1)}, {})
>>> network = multilayer_perceptron(2, 1, 2, 8, "tanh", torch.Generator().manual_seed(0))
>>> z = torch.rand(5, 2, dtype=torch.float64, requires_grad=True)
>>> keys = closure([(0,), (0, 0, 0)])  # in the directions (x,): u_x and u_xxx
>>> jet = network_jet(embedding, network, seed(z, directions=(1,), keys=keys))
>>> u_x = torch.autograd.grad(jet.value[:, 0].sum(), z, create_graph=True)[0][:, 1]
>>> u_xx = torch.autograd.grad(u_x.sum(), z, create_graph=True)[0][:, 1]
>>> u_xxx = torch.autograd.grad(u_xx.sum(), z)[0][:, 1]
>>> torch.allclose(jet.derivative((0,))[:, 0], u_x)
True
>>> torch.allclose(jet.derivative((0, 0, 0))[:, 0], u_xxx)
True
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

import torch
from torch import Tensor, nn

from pdec.runtime.network import Embedding, Sine

# A derivative index: the positions of the directions differentiated along, sorted; a
# multiset, so (0, 0, 1) is ∂³/∂z0²∂z1.
Index = tuple[int, ...]
Keys = tuple[tuple[Index, ...], ...]


@dataclass(frozen=True)
class Jet:
    """Values and derivatives at n points of an m-vector function of the inputs.

    ``orders[k - 1]`` stacks the k-th derivatives along the indices ``keys[k - 1]``:
    a tensor (len(keys[k - 1]), n, m). ``keys[0]`` is ((0,), (1,), …), one index per
    input direction.
    """

    value: Tensor  # (n, m)
    orders: tuple[Tensor, ...]
    keys: Keys

    def derivative(self, index: Index) -> Tensor:
        """The derivative along ``index`` (n, m); the value for ()."""
        if not index:
            return self.value
        return self.orders[len(index) - 1][self.keys[len(index) - 1].index(index)]

    def linear(self, value: Tensor, each: Callable[[Tensor], Tensor]) -> Jet:
        """The jet of a linear map: ``value`` the map of the value (with any offset),
        ``each`` the map applied to every stack of derivatives."""
        return Jet(value, tuple(each(order) for order in self.orders), self.keys)

    def __add__(self, other: Jet) -> Jet:
        orders = tuple(a + b for a, b in zip(self.orders, other.orders, strict=True))
        return Jet(self.value + other.value, orders, self.keys)


def closure(indices: Iterable[Index]) -> Keys:
    """The indices a jet must carry for ``indices``: every non-empty sub-multiset of
    each, by order, sorted.

    >>> closure([(0, 1, 1)])
    (((0,), (1,)), ((0, 1), (1, 1)), ((0, 1, 1),))
    """
    found: set[Index] = set()
    for index in indices:
        index = tuple(sorted(index))
        for size in range(1, len(index) + 1):
            found.update(combinations(index, size))
    top = max([0, *(len(index) for index in found)])
    return tuple(tuple(sorted(i for i in found if len(i) == k)) for k in range(1, top + 1))


def supports(embedding: nn.Module, network: nn.Module) -> bool:
    """Whether :func:`network_jet` can differentiate ``network ∘ embedding``."""
    if not isinstance(embedding, Embedding) or not isinstance(network, nn.Sequential):
        return False
    return all(isinstance(layer, nn.Linear | nn.Tanh | Sine) for layer in network)


def seed(z: Tensor, directions: tuple[int, ...], keys: Keys) -> Jet:
    """The inputs ``z`` (n, d) themselves: derivative 1 along their own column
    ``directions[k]`` for the index (k,), higher derivatives 0."""
    if keys and keys[0] != tuple((k,) for k in range(len(directions))):
        raise ValueError(f"the first-order indices must be the directions: {keys[0]}")
    orders = [z.new_zeros(len(level), *z.shape) for level in keys]
    for k, column in enumerate(directions if keys else ()):
        orders[0][k, :, column] = 1
    return Jet(z, tuple(orders), keys)


def of_map(y: Tensor, inputs: tuple[Tensor, ...], keys: Keys) -> Jet:
    """The jet of ``y`` (n, m), a parameter-free pointwise function of the 1-D tensors
    ``inputs`` (which require grad; ``inputs[k]`` is direction k), by autograd;
    detached, since no weight is in it (a coordinate map, the known part of a lifted
    field). Each derivative comes from its parent index (the index less its last
    direction): one backward pass per parent and output column."""

    def grad(out: Tensor, wrt: tuple[Tensor, ...], create_graph: bool) -> list[Tensor]:
        if not out.requires_grad:  # constant in the inputs (e.g. a linear lift's slope)
            return [torch.zeros_like(w) for w in wrt]
        found = torch.autograd.grad(
            out.sum(),
            wrt,
            retain_graph=True,  # the other columns go back through it
            create_graph=create_graph,
            allow_unused=True,
            materialize_grads=True,
        )
        return list(found)

    known: dict[Index, Tensor] = {(): y}
    for k, level in enumerate(keys, start=1):
        children: dict[Index, list[Index]] = {}
        for index in level:
            children.setdefault(index[:-1], []).append(index)
        for parent, indices in children.items():
            wrt = tuple(inputs[index[-1]] for index in indices)
            columns = [
                grad(known[parent][:, j], wrt, create_graph=k < len(keys))
                for j in range(y.shape[1])
            ]
            for position, index in enumerate(indices):
                known[index] = torch.stack([column[position] for column in columns], dim=1)
    orders = tuple(torch.stack([known[index] for index in level]).detach() for level in keys)
    return Jet(y.detach(), orders, keys)


def network_jet(embedding: Embedding, network: nn.Sequential, inputs: Jet) -> Jet:
    """``network(embedding(z))`` with its derivatives, for the jet ``inputs`` of z."""
    jet = _embed(embedding, inputs)
    for layer in network:
        if isinstance(layer, nn.Linear):
            jet = _linear(jet, layer)
        elif isinstance(layer, nn.Tanh):
            jet = activate(jet, "tanh")
        else:
            jet = activate(jet, "sin")
    return jet


def _linear(jet: Jet, layer: nn.Linear) -> Jet:
    weight = layer.weight.T
    return jet.linear(torch.addmm(layer.bias, jet.value, weight), lambda d: d @ weight)


def _pair_products(h_first: Tensor, a_first: Tensor, pairs) -> Tensor:
    """h_k · a_l for each pair (k, l), stacked: views, not gathers (cheaper backward)."""
    products = [h_first[k] * a_first[l] for k, l in pairs]
    return products[0].unsqueeze(0) if len(products) == 1 else torch.stack(products)


def activate(jet: Jet, function: str) -> Jet:
    """σ(a) with its derivatives for σ = "tanh", "sin" or "exp"."""
    a = jet.value
    if function == "tanh":
        h = torch.tanh(a)
        slope = 1 - h * h
    elif function == "sin":
        h, slope = torch.sin(a), torch.cos(a)
    else:
        h = slope = torch.exp(a)
    if not jet.orders:
        return Jet(h, (), jet.keys)
    first = slope * jet.orders[0]
    orders = [first]
    if len(jet.orders) >= 2:
        pairs = jet.keys[1]
        if function == "tanh":
            # σ'' = −2σσ': h'_kl = σ' a_kl − 2 σ (σ' a_k) a_l reuses h'_k
            products = _pair_products(first, jet.orders[0], pairs)
            orders.append(torch.addcmul(slope * jet.orders[1], h, products, value=-2))
        elif function == "sin":
            # σ'' = −sin
            products = _pair_products(jet.orders[0], jet.orders[0], pairs)
            orders.append(torch.addcmul(slope * jet.orders[1], h, products, value=-1))
        else:
            # σ'' = σ' = exp
            orders.append(slope * jet.orders[1] + _pair_products(first, jet.orders[0], pairs))
    if len(jet.orders) >= 3:
        slopes = _slopes(function, h, slope, len(jet.orders))
        for level in jet.keys[2:]:
            orders.append(torch.stack([_faa_di_bruno(jet, index, slopes) for index in level]))
    return Jet(h, tuple(orders), jet.keys)


def _slopes(function: str, h: Tensor, slope: Tensor, top: int) -> list[Tensor]:
    """σ', σ'', …, σ^(top) at a, from h = σ(a) and σ'(a)."""
    if function == "exp":
        return [h] * top
    if function == "sin":  # sin, cos, −sin, −cos, …
        return [(slope, -h, -slope, h)[j % 4] for j in range(top)]
    # tanh: σ^(j) = P_j(σ) with P_1 = 1 − h² and P_{j+1} = P_j' · (1 − h²)
    slopes, polynomial = [], [1.0, 0.0, -1.0]  # coefficients of h^0, h^1, …
    for _ in range(top):
        value = torch.zeros_like(h)
        for coefficient in reversed(polynomial):
            value = value * h + coefficient
        slopes.append(value)
        derivative = [i * c for i, c in enumerate(polynomial)][1:]
        polynomial = _times_one_minus_square(derivative)
    return slopes


def _times_one_minus_square(polynomial: list[float]) -> list[float]:
    product = [0.0] * (len(polynomial) + 2)
    for i, c in enumerate(polynomial):
        product[i] += c
        product[i + 2] -= c
    return product


def _faa_di_bruno(jet: Jet, index: Index, slopes: list[Tensor]) -> Tensor:
    """h'_α = Σ_j σ^(j)(a) Σ_{π with j blocks} Π_{B ∈ π} a_B for one index α."""
    total = None
    for blocks, partitions in _partitions(index):
        inner = None
        for count, parts in partitions:
            product = jet.derivative(parts[0])
            for part in parts[1:]:
                product = product * jet.derivative(part)
            term = product if count == 1 else count * product
            inner = term if inner is None else inner + term
        term = slopes[blocks - 1] * inner
        total = term if total is None else total + term
    return total


# Partitions by index, computed once. A plain dict, not functools.cache: torch.compile
# traces through the cache wrapper with a warning, and reads a dict as a constant.
_PARTITIONS: dict[Index, tuple] = {}


def _partitions(index: Index) -> tuple[tuple[int, tuple[tuple[int, tuple[Index, ...]], ...]], ...]:
    """The partitions of the multiset ``index`` into blocks, grouped by their number of
    blocks: ((blocks, ((multiplicity, (block, …)), …)), …). Set partitions of the
    positions that give the same multisets are counted once, with their multiplicity."""
    if index not in _PARTITIONS:
        _PARTITIONS[index] = _count_partitions(index)
    return _PARTITIONS[index]


def _count_partitions(index: Index) -> tuple:
    found: dict[int, Counter] = {}
    for partition in _set_partitions(list(range(len(index)))):
        parts = tuple(sorted(tuple(sorted(index[i] for i in block)) for block in partition))
        found.setdefault(len(parts), Counter())[parts] += 1
    return tuple(
        (blocks, tuple(sorted((count, parts) for parts, count in found[blocks].items())))
        for blocks in sorted(found)
    )


def _set_partitions(items: list[int]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _set_partitions(rest):
        yield [[first], *partition]
        for i in range(len(partition)):
            yield [*partition[:i], [first, *partition[i]], *partition[i + 1 :]]


def _embed(embedding: Embedding, inputs: Jet) -> Jet:
    """The embedding's features: the inputs scaled onto the unit interval (affine,
    so derivatives scale alike), then [2u − 1] for an ordinary column or
    [cos 2πu, sin 2πu] for a periodic one, then the Fourier features if any."""
    scale = 1 / embedding.width
    unit = inputs.linear((inputs.value - embedding.lo) * scale, lambda d: d * scale)
    parts = []
    for k, periodic in enumerate(embedding.periodic):
        column = _column(unit, k)
        if periodic:
            angle = _scaled(column, 2 * math.pi)
            parts += [activate(_shifted(angle, math.pi / 2), "sin"), activate(angle, "sin")]
        else:
            parts.append(_shifted(_scaled(column, 2.0), -1.0))
    jet = concat(parts)
    if embedding.frequencies is None:
        return jet
    matrix = (2 * math.pi) * embedding.frequencies.T
    projected = jet.linear(jet.value @ matrix, lambda d: d @ matrix)
    return concat([activate(_shifted(projected, math.pi / 2), "sin"), activate(projected, "sin")])


def columns(jet: Jet, which: list[int]) -> Jet:
    """The jet of the columns ``which`` of the function."""
    return jet.linear(jet.value[:, which], lambda d: d[..., which])


def _column(jet: Jet, k: int) -> Jet:
    return jet.linear(jet.value[:, k : k + 1], lambda d: d[..., k : k + 1])


def _scaled(jet: Jet, factor: float) -> Jet:
    return jet.linear(factor * jet.value, lambda d: factor * d)


def _shifted(jet: Jet, offset: float) -> Jet:
    return Jet(jet.value + offset, jet.orders, jet.keys)


def concat(parts: list[Jet]) -> Jet:
    """The jet of the functions side by side (their columns concatenated)."""
    orders = tuple(
        torch.cat([p.orders[k] for p in parts], dim=-1) for k in range(len(parts[0].orders))
    )
    return Jet(torch.cat([p.value for p in parts], dim=-1), orders, parts[0].keys)


def multiply(a: Jet, b: Jet) -> Jet:
    """The jet of the product a·b (column by column), by Leibniz's rule: for an index α,
    (ab)_α = Σ a_β b_(α∖β) over the sub-multisets β of α, each counted once per choice
    of the positions in α it takes (so ∂xx(ab) = a_xx b + 2 a_x b_x + a b_xx).

    >>> z = torch.rand(4, 1, dtype=torch.float64, requires_grad=True)
    >>> keys = closure([(0, 0)])
    >>> x = seed(z, (0,), keys)
    >>> square = multiply(x, x)  # z²: second derivative 2
    >>> torch.allclose(square.derivative((0, 0)), torch.full((4, 1), 2.0, dtype=torch.float64))
    True
    """
    orders = []
    for level in a.keys:
        stacked = []
        for index in level:
            total = 0
            for size in range(len(index) + 1):
                for chosen in combinations(range(len(index)), size):
                    left = tuple(index[i] for i in chosen)
                    right = tuple(index[i] for i in range(len(index)) if i not in chosen)
                    total = total + a.derivative(left) * b.derivative(right)
            stacked.append(total)
        orders.append(torch.stack(stacked))
    return Jet(a.value * b.value, tuple(orders), a.keys)
