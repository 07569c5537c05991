from kzjp_cli.cli import cli

cli(prog_name="kzjp")
