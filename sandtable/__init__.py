"""The application's top: the ``sandtable`` command line (:mod:`sandtable.cli`).

It sits above every other package (``geodata`` → ``routes`` → ``rescue`` → ``web``)
and wires them together; nothing imports it.
"""
