"""Save a network to one ``.npz`` file and load it back: architecture and parameters, no pickle.

The file is a NumPy ``.npz`` archive holding the parameter arrays (``W1``,
``b1``, …), the running statistics of batch normalisation (``running_mean1``,
…) and a JSON header (the array ``__header__``): the format version, the
layer sizes, the names of the activations and of the loss, the dtype, the
dropout rates, which layers are batch-normalised, the L2 coefficient, and the
state of the network's random generator (so shuffling continues as it would
have).  An optimiser's state is not saved.  It is read with ``allow_pickle=False``: loading a file runs no
code from it.

Examples
--------
>>> import tempfile, pathlib, numpy as np, backprop as bp
>>> net = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
>>> path = bp.save(net, pathlib.Path(tempfile.mkdtemp()) / "iris-net")
>>> path.name
'iris-net.npz'
>>> copy = bp.load(path)
>>> copy
MLP(sizes=[4, 8, 3], activations=[tanh, softmax], loss='cross_entropy', dtype=float64)
>>> all(np.array_equal(copy.params[k], net.params[k]) for k in net.params)
True
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS, Activation
from .losses import LOSSES, Loss
from .network import MLP

FORMAT = "backprop.MLP"
"""The ``format`` field of the header of every file [save][backprop.save] writes."""

FORMAT_VERSION = 2
"""The version of the file layout written by [save][backprop.save]; [load][backprop.load] reads this one and older.

Version 2 added dropout, batch normalisation (with its running statistics) and the L2 coefficient."""

_HEADER = "__header__"
_RUNNING = "running_"


def _npz_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _describe(record: Activation | Loss, table: dict) -> dict:
    return {"name": record.name, "builtin": table.get(record.name) is record}


def save(net: MLP, path: str | os.PathLike) -> Path:
    """Write ``net`` (architecture and parameters) to an ``.npz`` file.

    ``.npz`` is appended to the name if it is missing.  The file is written to
    a temporary name first and then renamed, so an interrupted save never
    leaves a half-written file under ``path``.

    Parameters
    ----------
    net
        The network.
    path
        Where to write.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError or TypeError
        If the parameters are invalid (wrong shape or dtype, NaN or inf).

    Examples
    --------
    >>> import tempfile, pathlib, backprop as bp
    >>> bp.save(bp.MLP([2, 1]), pathlib.Path(tempfile.mkdtemp()) / "tiny").suffix
    '.npz'
    """
    net.check_inputs(np.zeros((1, net.sizes[0]), dtype=net.dtype))  # validates the parameters
    path = _npz_path(path)
    from . import __version__

    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "backprop": __version__,
        "sizes": net.sizes,
        "activations": [_describe(act, ACTIVATIONS) for act in net.activations],
        "loss": _describe(net.loss_fn, LOSSES),
        "dtype": net.dtype.name,
        "dropout": net.dropout,
        "batch_norm": net.batch_norm,
        "l2": net.l2,
        "rng": net.rng.bit_generator.state,
    }
    arrays = {key: net.params[key] for key in net.params}
    arrays.update({_RUNNING + key: value for key, value in net.running_stats.items()})
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **{_HEADER: np.array(json.dumps(header))}, **arrays)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _resolve(entry: dict, table: dict, custom: dict, kind: str, path: Path) -> Activation | Loss:
    name = entry.get("name")
    if name in custom:
        return custom[name]
    if entry.get("builtin") and name in table:
        return table[name]
    article = "an" if kind == "activation" else "a"
    raise ValueError(f"{path} uses the {kind} {name!r}, which is not one of the library's: pass its record, "
                     f"load(path, custom=[...]) with {article} {kind.title()} named {name!r}")


def load(path: str | os.PathLike, custom: Iterable[Activation | Loss] = ()) -> MLP:
    """Read a network written by [save][backprop.save].

    Parameters
    ----------
    path
        The file (``.npz`` is appended if missing).
    custom
        The [Activation][backprop.Activation] and [Loss][backprop.Loss] records
        of a network built with your own: they are matched by name.

    Returns
    -------
    MLP
        A new network with the saved architecture, parameters and random state.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file was not written by [save][backprop.save], comes from a newer
        format version, names an activation or loss that is neither the
        library's nor in ``custom``, or holds arrays that do not fit the
        architecture in its header (missing, extra, wrong shape or dtype).

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, backprop as bp
    >>> stray = pathlib.Path(tempfile.mkdtemp()) / "weights.npz"
    >>> np.savez(stray, W1=np.ones((2, 3)))
    >>> bp.load(stray)
    Traceback (most recent call last):
    ...
    ValueError: ...weights.npz was not written by backprop.save: it has no header (its arrays: W1)
    """
    path = _npz_path(path)
    custom_by_name: dict[str, Activation | Loss] = {}
    for record in custom:
        if not isinstance(record, (Activation, Loss)):
            raise TypeError(f"custom must hold Activation and Loss records, not {type(record).__name__}")
        custom_by_name[record.name] = record
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path} is not a file written by backprop.save: {err}") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} is not a file written by backprop.save: it holds one array, not an .npz archive")
    with data:
        names = list(data.files)
        if _HEADER not in names:
            raise ValueError(f"{path} was not written by backprop.save: it has no header "
                             f"(its arrays: {', '.join(names) or 'none'})")
        try:
            header = json.loads(str(data[_HEADER]))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: its header is not valid JSON ({err})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError(f"{path} was not written by backprop.save (its header has no format {FORMAT!r})")
        version = header.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ValueError(f"{path} has format version {version!r}, written by a newer backprop "
                             f"({header.get('backprop')}); this one ({_library_version()}) reads versions up to "
                             f"{FORMAT_VERSION}")
        try:
            acts = [_resolve(e, ACTIVATIONS, custom_by_name, "activation", path) for e in header["activations"]]
            loss = _resolve(header["loss"], LOSSES, custom_by_name, "loss", path)
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{path}: its header does not describe a network ({type(err).__name__}: {err})") from None
        try:
            net = MLP(header["sizes"], hidden=acts[:-1], output=acts[-1], loss=loss, dtype=header["dtype"],
                      dropout=header.get("dropout", 0.0), batch_norm=header.get("batch_norm", False),
                      l2=header.get("l2", 0.0))
        except (KeyError, TypeError, IndexError, ValueError) as err:
            raise ValueError(f"{path}: its header does not describe a network ({type(err).__name__}: {err})") from None
        stored = {**net.params, **{_RUNNING + k: v for k, v in net.running_stats.items()}}
        arrays = [k for k in names if k != _HEADER]
        missing = [k for k in stored if k not in arrays]
        extra = [k for k in arrays if k not in stored]
        if missing or extra:
            raise ValueError(f"{path}: the arrays do not fit the architecture in its header (sizes {net.sizes}): "
                             f"missing {missing or 'none'}, unexpected {extra or 'none'}")
        for key, p in stored.items():
            try:
                value = data[key]
            except ValueError as err:  # an object array: it would need pickle
                raise ValueError(f"{path}: the array {key} cannot be read without pickle ({err})") from None
            if value.shape != p.shape or value.dtype != p.dtype:
                raise ValueError(f"{path}: {key} has shape {value.shape} and dtype {value.dtype} in the file, but the "
                                 f"architecture in its header needs shape {p.shape} and dtype {p.dtype}")
            p[...] = value
    state = header.get("rng")
    if isinstance(state, dict) and state.get("bit_generator") == type(net.rng.bit_generator).__name__:
        net.rng.bit_generator.state = state
    net.check_inputs(np.zeros((1, net.sizes[0]), dtype=net.dtype))  # finite parameters
    return net


def _library_version() -> str:
    from . import __version__

    return __version__
