"""One module per ``shadow`` subcommand: ``add_parser(sub, name)`` and a handler."""
