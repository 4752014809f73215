"""Write the Frictionless Data Package of a built database: `python datapackage.py DB --dist D`.
The command line of nkcities/datapackage.py, kept here for the Makefile and the Dockerfile."""

from nkcities.datapackage import main

if __name__ == "__main__":
    main()
