"""The commands of ``sandtable``, one module per group; :mod:`sandtable.parser` names them.

- :mod:`~sandtable.commands.server`: ``serve``
- :mod:`~sandtable.commands.admin`: the instance's database (``create-user``, ``backup``,
  ``restore``)
- :mod:`~sandtable.commands.region`: a region's data (``build-region``, ``info``, ``locate``)
- :mod:`~sandtable.commands.evaluation`: offline scoring and fitting (``eval-locate``,
  ``eval-eta``, ``calibrate-eta``)

Each command is a function of the parsed arguments returning the exit code; it imports
what it needs when it runs, so that ``sandtable info`` never loads Flask.
"""
