"""Interrupting fit and check_gradients anywhere leaves the network intact.

A wrapped tanh raises KeyboardInterrupt on its k-th call (forward or backward), for a k drawn by
hypothesis. Documented outcome: check_gradients restores every parameter exactly and lets the
interrupt through; fit stops with a warning and keeps a *completed* state: the parameters after some
update of the same training run without the interrupt (with early stopping, the best of those so far).
"""

import os
import signal
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop as bp


def tanh_vjp(z, a, g):
    return g * (1.0 - a * a)


def interrupting_tanh(after: int) -> bp.Activation:
    """tanh whose function and vector-Jacobian product raise KeyboardInterrupt on their call number ``after``."""
    calls = 0

    def tick():
        nonlocal calls
        calls += 1
        if calls == after:
            raise KeyboardInterrupt

    def function(z):
        tick()
        return np.tanh(z)

    def vjp(z, a, g):
        tick()
        return tanh_vjp(z, a, g)

    return bp.Activation("tanh", function, bp.tanh_grad, (-1.0, 1.0), vjp=vjp)


def data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, :1] * X[:, 1:2] > 0).astype(float)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    after=st.integers(1, 120),
    batch_size=st.sampled_from([None, 3, 7]),
    early_stopping=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_interrupting_fit_anywhere_keeps_a_completed_state(after, batch_size, early_stopping, seed):
    X, y = data(20, seed)
    options = dict(epochs=12, lr=0.5, batch_size=batch_size)
    if early_stopping:
        options.update(validation=data(10, seed + 1), patience=2)

    # The same run without the interrupt, recording the parameters at every forward pass: that is every state
    # after an update (each is followed by a forward pass), and the initial one.
    twin = bp.MLP([3, 4, 4, 1], hidden="tanh", loss="bce", seed=seed)
    states = []

    def recording_tanh(z):
        states.append({k: v.copy() for k, v in twin.params.items()})
        return np.tanh(z)

    twin.activations[0] = bp.Activation("tanh", recording_tanh, bp.tanh_grad, (-1.0, 1.0), vjp=tanh_vjp)
    full = twin.fit(X, y, **options)
    states.append({k: v.copy() for k, v in twin.params.items()})

    net = bp.MLP([3, 4, 4, 1], hidden="tanh", loss="bce", seed=seed)
    net.activations[1] = interrupting_tanh(after)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = net.fit(X, y, **options)
    interrupted = history.stopped == "interrupted"
    assert interrupted == any("fit interrupted" in str(w.message) for w in caught)
    assert any(all(np.array_equal(net.params[k], s[k]) for k in s) for s in states), "not a completed state"
    if not interrupted:
        assert all(np.array_equal(net.params[k], twin.params[k]) for k in net.params)
    # The epochs it completed are the twin's.
    np.testing.assert_array_equal(history.loss, full.loss[:history.epochs])
    np.testing.assert_array_equal(history.step_loss, full.step_loss[:len(history.step_loss)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(after=st.integers(1, 200), order=st.sampled_from([2, 4]), sample=st.sampled_from([None, 3]),
       seed=st.integers(0, 2**16))
def test_interrupting_check_gradients_anywhere_restores_every_parameter(after, order, sample, seed):
    X, y = data(5, seed)
    net = bp.MLP([3, 4, 4, 1], hidden="tanh", loss="bce", seed=seed)
    net.activations[0] = interrupting_tanh(after)
    before = {k: v.copy() for k, v in net.params.items()}
    try:
        report = bp.check_gradients(net, X, y, order=order, sample=sample)
    except KeyboardInterrupt:
        pass
    else:
        assert report.ok, str(report)
    assert all(np.array_equal(before[k], net.params[k]) for k in before)


class _SignalOnUpdate(np.ndarray):
    """A parameter array that sends this process SIGINT (Ctrl-C) when fit starts to update it."""

    def __isub__(self, other):
        os.kill(os.getpid(), signal.SIGINT)
        return super().__isub__(other)


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name == "nt", reason="needs POSIX signals")
def test_ctrl_c_during_an_update_waits_for_the_update_to_finish(monkeypatch):
    monkeypatch.setattr(signal, "getsignal", signal.getsignal)  # nothing patched; fit installs its own handler
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        X, y = data(8, 0)
        net = bp.MLP([3, 4, 1], hidden="tanh", loss="bce", seed=0)
        twin = bp.MLP([3, 4, 1], hidden="tanh", loss="bce", seed=0)
        net.params["W2"] = net.params["W2"].view(_SignalOnUpdate)  # W1 and b1 are updated before W2, b2 after
        with pytest.warns(UserWarning, match="fit interrupted .* after 0 complete epochs"):
            history = net.fit(X, y, epochs=5)
        twin.fit(X, y, epochs=1)
        # Every parameter made the first step, none half of it; then training stopped.
        assert history.stopped == "interrupted" and len(history.step_loss) == 1
        assert all(np.array_equal(np.asarray(net.params[k]), twin.params[k]) for k in twin.params)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # fit put the handler back
    finally:
        signal.signal(signal.SIGINT, previous)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    after=st.integers(1, 150),
    optimiser=st.sampled_from(["momentum", "rmsprop", "adam"]),
    batch_size=st.sampled_from([None, 4, 7]),
    early_stopping=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_interrupting_fit_keeps_optimiser_and_running_statistics_with_the_parameters(
        after, optimiser, batch_size, early_stopping, seed):
    """With an optimiser, batch normalisation and dropout, an interrupt leaves parameters, running statistics and
    the optimiser's state from one and the same moment of the uninterrupted run."""
    X, y = data(20, seed)
    options = dict(epochs=8, lr=0.05, batch_size=batch_size)
    if early_stopping:
        options.update(validation=data(10, seed + 1), patience=2)

    def make():
        return bp.MLP([3, 5, 4, 1], hidden="tanh", loss="bce", batch_norm=[True, False], dropout=[0.3, 0.2],
                      seed=seed)

    twin, twin_opt = make(), bp.get_optimiser(optimiser)
    moments = []

    def record():
        steps, state = twin_opt.snapshot()
        moments.append(({k: v.copy() for k, v in twin.params.items()},
                        {k: v.copy() for k, v in twin.running_stats.items()}, steps, state))

    def recording_tanh(z):
        record()
        return np.tanh(z)

    twin.activations[0] = bp.Activation("tanh", recording_tanh, bp.tanh_grad, (-1.0, 1.0), vjp=tanh_vjp)
    twin.fit(X, y, optimiser=twin_opt, **options)
    record()

    net, opt = make(), bp.get_optimiser(optimiser)
    net.activations[1] = interrupting_tanh(after)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = net.fit(X, y, optimiser=opt, **options)

    def same(moment):
        params, stats, steps, state = moment
        return (all(np.array_equal(net.params[k], params[k]) for k in params)
                and all(np.array_equal(net.running_stats[k], stats[k]) for k in stats)
                and opt.steps == steps and opt.state.keys() == state.keys()
                and all(np.array_equal(opt.state[k][s], v) for k in state for s, v in state[k].items()))

    assert any(same(m) for m in moments), "parameters, statistics and optimiser state are not from one moment"
    if history.stopped != "interrupted":
        assert same(moments[-1])
