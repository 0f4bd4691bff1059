"""`python -m fbopt`: the same as the `fbopt` command."""

from fbopt.cli.main import cli

if __name__ == "__main__":
    cli()
