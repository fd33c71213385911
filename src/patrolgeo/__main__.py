from patrolgeo.cli import main

main()
