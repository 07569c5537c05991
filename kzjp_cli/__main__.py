from kzjp_cli.cli import main

main()
