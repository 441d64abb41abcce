"""save/load: one .npz file with a JSON header, architecture included, no pickle, clear errors for bad files."""

import json
import zipfile

import numpy as np
import pytest

import backprop as bp


def trained(dtype=np.float64):
    X, y, _ = bp.datasets.load_iris()
    net = bp.MLP([4, 5, 3], hidden="tanh", loss="cross_entropy", seed=3, dtype=dtype)
    net.fit(X, y, epochs=3, lr=0.01, batch_size=50)
    return net, X, y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_is_exact_including_the_random_state(tmp_path, dtype):
    net, X, y = trained(dtype)
    path = net.save(tmp_path / "model")
    assert path == tmp_path / "model.npz" and path.exists()
    copy = bp.load(tmp_path / "model")
    assert repr(copy) == repr(net) and copy.dtype == dtype
    assert all(np.array_equal(copy.params[k], net.params[k]) and copy.params[k].dtype == dtype for k in net.params)
    assert [a is b for a, b in zip(copy.activations, net.activations, strict=True)] == [True, True]
    assert copy.loss_fn is net.loss_fn and copy.fused
    # The generator continues where the original's is: shuffled training stays identical.
    net.fit(X, y, epochs=2, lr=0.01, batch_size=7)
    copy.fit(X, y, epochs=2, lr=0.01, batch_size=7)
    assert all(np.array_equal(copy.params[k], net.params[k]) for k in net.params)


def test_the_file_is_an_npz_with_a_json_header_and_no_pickle(tmp_path):
    net, _, _ = trained()
    path = bp.save(net, tmp_path / "m.npz")
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["W1.npy", "W2.npy", "__header__.npy", "b1.npy", "b2.npy"]
    with np.load(path, allow_pickle=False) as data:  # readable without pickle
        header = json.loads(str(data["__header__"]))
    assert header["format"] == "backprop.MLP" and header["version"] == bp.saving.FORMAT_VERSION == 2
    assert header["sizes"] == [4, 5, 3]
    assert [a["name"] for a in header["activations"]] == ["tanh", "softmax"]
    assert header["loss"] == {"name": "cross_entropy", "builtin": True}
    assert not list(tmp_path.glob("*.part"))


def test_custom_records_are_needed_by_name(tmp_path):
    softplus = bp.Activation("softplus", lambda z: np.logaddexp(0, z), bp.sigmoid)
    net = bp.MLP([2, 3, 1], hidden=softplus, seed=0)
    path = net.save(tmp_path / "custom")
    with pytest.raises(ValueError, match=r"uses the activation 'softplus', which is not one of the library's: pass its "
                                         r"record, load\(path, custom=\[...\]\)"):
        bp.load(path)
    copy = bp.load(path, custom=[softplus])
    assert copy.activations[0] is softplus and np.array_equal(copy.params["W1"], net.params["W1"])
    # A user's record that borrows a library name is not mistaken for the library's.
    fake = bp.Activation("tanh", np.tanh, bp.tanh_grad)
    path = bp.MLP([2, 3, 1], hidden=fake, seed=0).save(tmp_path / "fake")
    with pytest.raises(ValueError, match="uses the activation 'tanh', which is not one of the library's"):
        bp.load(path)
    with pytest.raises(TypeError, match="custom must hold Activation and Loss records"):
        bp.load(path, custom=["tanh"])


def rewrite(path, header=None, **arrays):
    with np.load(path, allow_pickle=False) as data:
        content = {k: data[k] for k in data.files}
    if header is not None:
        content["__header__"] = np.array(json.dumps(header))
    content.update(arrays)
    content = {k: v for k, v in content.items() if v is not None}
    np.savez(path, **content)


def test_incompatible_files_are_refused_clearly(tmp_path):
    net, _, _ = trained()
    path = net.save(tmp_path / "m.npz")
    with np.load(path) as data:
        header = json.loads(str(data["__header__"]))

    rewrite(path, W2=np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"W2 has shape \(5, 4\) and dtype float64 in the file, but the architecture "
                                         r"in its header needs shape \(5, 3\)"):
        bp.load(path)
    rewrite(path, W2=None, W3=np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"the arrays do not fit .* missing \['W2'\], unexpected \['W3'\]"):
        bp.load(path)
    net.save(path)
    rewrite(path, header={**header, "version": 3, "backprop": "9.0"})
    with pytest.raises(ValueError, match=r"format version 3, written by a newer backprop \(9.0\)"):
        bp.load(path)
    rewrite(path, header={**header, "format": "keras"})
    with pytest.raises(ValueError, match="was not written by backprop.save"):
        bp.load(path)
    rewrite(path, header={**header, "sizes": [4, 3]})
    with pytest.raises(ValueError, match="its header does not describe a network"):
        bp.load(path)

    plain = tmp_path / "weights.npz"
    np.savez(plain, W1=np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"was not written by backprop.save: it has no header \(its arrays: W1\)"):
        bp.load(plain)
    text = tmp_path / "notes.npz"
    text.write_text("not a zip")
    with pytest.raises(ValueError, match="is not a file written by backprop.save"):
        bp.load(text)
    with pytest.raises(FileNotFoundError):
        bp.load(tmp_path / "missing.npz")


def test_a_pickled_object_in_the_file_is_not_loaded(tmp_path):
    net, _, _ = trained()
    path = net.save(tmp_path / "m.npz")
    rewrite(path, b1=np.array([object()] * 5, dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        bp.load(path)


def test_saving_invalid_parameters_is_refused(tmp_path):
    net, _, _ = trained()
    net.params["W1"][0, 0] = np.inf
    with pytest.raises(ValueError, match=r"params\['W1'\] contains inf"):
        net.save(tmp_path / "bad")
    assert not list(tmp_path.iterdir())


def test_dropout_batch_norm_l2_and_running_statistics_are_saved(tmp_path):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 3)), rng.normal(size=(30, 2))
    net = bp.MLP([3, 6, 5, 2], hidden="tanh", dropout=[0.2, 0.0], batch_norm=[True, False], l2=0.01, seed=0)
    net.fit(X, Y, epochs=3, lr=0.05, batch_size=10)
    assert not np.array_equal(net.running_stats["var1"], np.ones(6))  # fit moved them
    copy = bp.load(bp.save(net, tmp_path / "bn"))
    assert (copy.dropout, copy.batch_norm, copy.l2) == ([0.2, 0.0], [True, False], 0.01)
    assert all(np.array_equal(copy.running_stats[k], net.running_stats[k]) for k in net.running_stats)
    np.testing.assert_array_equal(copy.predict(X), net.predict(X))  # prediction uses the running statistics
    with zipfile.ZipFile(tmp_path / "bn.npz") as z:
        assert {"running_mean1.npy", "running_var1.npy", "gamma1.npy", "beta1.npy"} <= set(z.namelist())


def test_a_version_1_file_still_loads(tmp_path):
    net, _, _ = trained()
    path = bp.save(net, tmp_path / "old")
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["__header__"]))
        arrays = {k: data[k] for k in data.files if k != "__header__"}
    old = {k: v for k, v in header.items() if k not in ("dropout", "batch_norm", "l2")} | {"version": 1}
    np.savez(path, __header__=np.array(json.dumps(old)), **arrays)
    copy = bp.load(path)
    assert copy.dropout == [0.0] and copy.batch_norm == [False] and copy.l2 == 0.0
    assert all(np.array_equal(copy.params[k], net.params[k]) for k in net.params)
