"""Operators G: declared class = class of the dense matrix; learned classes hold by
construction, after initialisation and after training; forward = matrix @ w."""

from fractions import Fraction

import pytest
import torch

from pdec.runtime.energy import (
    ConstantMatrix,
    LearnedDissipative,
    LearnedDissipativeStencil,
    LearnedSkew,
    LearnedSkewPlusDissipative,
    LearnedSkewStencil,
    StencilOperator,
    StructureError,
    central_difference,
    classify,
    conforms,
    from_symbolic,
    identity,
    laplacian,
)

F64 = torch.float64
N, H = 24, 0.25


def given_operators():
    dx, lap = central_difference(N, H), laplacian(N, H)
    return {
        "dx": (dx, "skew"),
        "dx^3": (dx @ dx @ dx, "skew"),
        "dx(dx)": (dx @ dx, "dissipative"),
        "laplacian": (lap, "dissipative"),
        "-dx^4": (-(lap**2), "dissipative"),
        "dx^4": (lap**2, "general"),
        "kdv-like": (3.0 * dx - 0.5 * (dx @ lap), "skew"),
        "-identity": (-identity(N), "dissipative"),
        "upwind": (StencilOperator({-1: 1 / H, 0: -1 / H}, N), "dissipative"),
        "dx walls": (central_difference(N, H, periodic=False), "skew"),
        "laplacian walls": (laplacian(N, H, periodic=False), "dissipative"),
        "-dx^4 walls": (-(laplacian(N, H, periodic=False) ** 2), "dissipative"),
        "pendulum": (ConstantMatrix([[0.0, 1.0], [-1.0, -0.1]]), "dissipative"),
        "canonical": (ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]]), "skew"),
        "wave": (ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]], grid_size=N), "skew"),
        "general": (ConstantMatrix([[1.0, 2.0], [0.0, -1.0]]), "general"),
    }


def learned_operators(generator):
    return {
        "skew": LearnedSkew(5, generator=generator),
        "dissipative": LearnedDissipative(5, generator=generator),
        "skew - dissipative": LearnedSkewPlusDissipative(5, generator=generator),
        "skew stencil": LearnedSkewStencil(3, spacing=H, generator=generator),
        "dissipative stencil": LearnedDissipativeStencil(2, spacing=H, generator=generator),
        "mass-conserving stencil": LearnedDissipativeStencil(
            2, spacing=H, conserve_mass=True, generator=generator
        ),
    }


@pytest.mark.parametrize("name", list(given_operators()))
def test_given_operators_declare_the_class_of_their_matrix(name):
    operator, expected = given_operators()[name]
    assert operator.kind == expected
    assert classify(operator.matrix()) == expected
    assert operator.check() == expected


@pytest.mark.parametrize("name", list(given_operators()))
def test_forward_is_the_matrix_product(name, generator):
    operator, _ = given_operators()[name]
    w = torch.randn(3, operator.size, dtype=F64, generator=generator)
    torch.testing.assert_close(operator(w), w @ operator.matrix().T, rtol=1e-13, atol=1e-11)


@pytest.mark.parametrize("name", list(learned_operators(torch.Generator())))
def test_learned_forward_is_the_matrix_product(name, generator):
    operator = learned_operators(generator)[name]
    size = operator.size or N
    w = torch.randn(3, size, dtype=F64, generator=generator)
    torch.testing.assert_close(operator(w), w @ operator.matrix(size).T)


def test_stencil_arithmetic_is_exact():
    dx = central_difference(N, 0.1)  # {-1: -5.0, 1: 5.0}
    assert (dx @ dx).coefficients == {-2: 25.0, 0: -50.0, 2: 25.0}
    d = central_difference(N, 0.3).coefficients[1]  # 1/(2h), not a short binary fraction
    third = central_difference(N, 0.3) ** 3
    assert third.coefficients[3] == float(Fraction(d) ** 3)  # rounded once
    assert all(third.coefficients[-k] == -c for k, c in third.coefficients.items())
    assert (laplacian(N, 1.0) ** 2).coefficients == {-2: 1.0, -1: -4.0, 0: 6.0, 1: -4.0, 2: 1.0}
    assert (dx - dx).coefficients == {}
    assert dx.transpose().coefficients == (-dx).coefficients


def test_stencils_on_different_grids_do_not_combine():
    with pytest.raises(ValueError, match="different grids"):
        central_difference(8, 1.0) @ central_difference(16, 1.0)


def assert_kind(operator, size, kind):
    matrix = operator.matrix(size).detach()
    assert classify(matrix) == kind
    if kind == "skew":
        # exactly skew, not just to a tolerance
        assert torch.equal(matrix, -matrix.T)
    else:
        assert torch.linalg.eigvalsh((matrix + matrix.T) / 2).max() <= 1e-12 * matrix.norm()


@pytest.mark.parametrize("name", list(learned_operators(torch.Generator())))
def test_learned_operators_keep_their_class_through_training(name, generator):
    operator = learned_operators(generator)[name]
    declared = "skew" if "skew" in name and "dissipative" not in name else "dissipative"
    assert operator.kind == declared
    size = operator.size or N
    assert_kind(operator, size, declared)
    # a few Adam steps on a loss that, unconstrained, would pull G anywhere
    target = torch.randn(size, size, dtype=F64, generator=generator)
    optimizer = torch.optim.Adam(operator.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        (operator.matrix(size) - target).pow(2).sum().backward()
        optimizer.step()
    assert_kind(operator, size, declared)
    for other in (7, 16):  # stencils work at any grid size
        if operator.size is None:
            assert_kind(operator, other, declared)


def test_mass_conserving_stencil_annihilates_constants(generator):
    G = LearnedDissipativeStencil(2, conserve_mass=True, generator=generator)
    ones = torch.ones(1, 10, dtype=F64)
    assert G(ones).abs().max() < 1e-14


def test_classify_and_conforms():
    assert classify(torch.zeros(3, 3)) == "skew"
    assert classify(-torch.eye(3)) == "dissipative"
    assert classify(torch.eye(3)) == "general"
    assert conforms("dissipative", "skew") and conforms("general", "dissipative")
    assert not conforms("skew", "dissipative") and not conforms("dissipative", "general")
    with pytest.raises(ValueError, match="square"):
        classify(torch.zeros(2, 3))
    assert [from_symbolic(k) for k in ("zero", "neither", "unknown")] == [
        "skew",
        "general",
        "general",
    ]


def test_check_names_a_wrong_declaration(generator):
    class Liar(LearnedDissipative):
        kind = "skew"

    with pytest.raises(
        StructureError, match="declares class 'skew' but its matrix is 'dissipative'"
    ):
        Liar(3, generator=generator).check()


def test_sizes_are_checked(generator):
    with pytest.raises(ValueError, match="acts on size 24, got 5"):
        central_difference(N, H)(torch.zeros(1, 5, dtype=F64))
    with pytest.raises(ValueError, match="give the size"):
        LearnedSkewStencil(1, generator=generator).matrix()
