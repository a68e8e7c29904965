from homelabctl.cli import run

run()
