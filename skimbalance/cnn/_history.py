"""skorch's ``History`` with constant-time access to one epoch.

skorch's ``History.__getitem__`` copies the whole list of epochs on every
access, and it is accessed about twenty times per epoch (``record``,
``record_batch``, ``new_batch``, the scoring callbacks' ``history[-1, ...]``),
so a long training spends more and more of each epoch copying its history.
This subclass answers ``history[i]`` and ``history[i, ...]`` for an integer
epoch ``i`` from that epoch alone (the commonest two directly), with skorch's
semantics and errors; any other index goes to skorch.
"""

from skorch.history import History as SkorchHistory


class History(SkorchHistory):
    """A skorch ``History`` whose integer-epoch indexing does not copy it.

    Examples
    --------
    >>> from skimbalance.cnn._history import History
    >>> history = History()
    >>> history.new_epoch(); history.new_batch(); history.record_batch("loss", 0.5)
    >>> history[-1, "batches", -1, "loss"], history[:, "batches", :, "loss"]
    (0.5, [[0.5]])
    """

    def __getitem__(self, i):
        if isinstance(i, int):
            return list.__getitem__(self, i)
        if not (isinstance(i, tuple) and i and isinstance(i[0], int)):
            return super().__getitem__(i)
        epoch = list.__getitem__(self, i[0])
        keys = i[1:]
        # the two accesses of every epoch, answered directly
        if len(keys) == 1 and isinstance(keys[0], str) and keys[0] in epoch:
            return epoch[keys[0]]  # history[-1, "train_loss"]
        if (
            len(keys) == 3
            and keys[0] == "batches"
            and isinstance(keys[1], int)
            and isinstance(keys[2], str)
        ):
            batch = epoch["batches"][keys[1]]  # history[-1, "batches", -1, key]
            if keys[2] in batch:
                return batch[keys[2]]
        return SkorchHistory([epoch])[(0, *keys)]
