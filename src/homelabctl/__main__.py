from homelabctl.cli import main

main()
