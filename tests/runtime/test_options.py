import pytest

from pdec.runtime import OptionsError, TrainOptions, merge_options


def test_defaults():
    options = TrainOptions()
    assert (options.steps, options.lr, options.lbfgs_steps) == (2000, 1e-3, 0)
    assert (options.points, options.boundary_points, options.sampling) == (2000, 500, "uniform")
    assert options.adaptive == "none" and options.rar == 0 and options.dtype is None


def test_options_are_frozen():
    options = TrainOptions()
    with pytest.raises(Exception, match="frozen"):
        options.steps = 5


def test_unknown_key_suggests_the_nearest_and_lists_all():
    with pytest.raises(OptionsError) as caught:
        TrainOptions(setps=10)
    message = str(caught.value)
    assert "setps: unknown option (did you mean 'steps'?)" in message
    assert "lbfgs_steps: int = 0" in message
    assert "sampling: 'uniform' | 'sobol' | 'lhs' = 'uniform'" in message
    assert isinstance(caught.value, ValueError)


def test_wrong_type_names_the_key_the_value_and_the_expected_type():
    with pytest.raises(OptionsError) as caught:
        TrainOptions(steps="many", lr=-1.0)
    message = str(caught.value)
    assert "steps: Input should be a valid integer" in message and "'many'" in message
    assert "expected int" in message
    assert "lr: Input should be greater than 0" in message


def test_strings_from_the_command_line_are_converted():
    options = TrainOptions(steps="100", lr="1e-2", compile="true", checkpoint_dir="out")
    assert (options.steps, options.lr, options.compile) == (100, 0.01, True)
    assert str(options.checkpoint_dir) == "out"


def test_resume_needs_a_checkpoint_directory():
    with pytest.raises(OptionsError, match="resume=True needs checkpoint_dir"):
        TrainOptions(resume=True)


def test_merge_routes_keys_and_later_layers_win():
    model, train = merge_options(
        {"layers": (8, 40), "steps": 20000, "dtype": "float64"}, {"steps": 10}
    )
    assert model == {"layers": (8, 40), "dtype": "float64"}
    assert train == {"steps": 10, "dtype": "float64"}
    with pytest.raises(OptionsError, match="did you mean 'activation'"):
        merge_options({"activaton": "tanh"})


def test_fit_checks_term_names_and_model_options(bar):
    model = bar()
    with pytest.raises(OptionsError, match=r"weights\['pdee'\].*did you mean 'pde'"):
        model.fit(steps=1, weights={"pdee": 2.0}, progress=False)
    with pytest.raises(OptionsError, match="model option"):
        model.fit(steps=1, layers=(2, 2))
    with pytest.raises(OptionsError, match="did you mean 'boundary_points'"):
        model.fit(steps=1, boundary_pts=3)
