"""Write the Frictionless Data Package of a built database: `python datapackage.py DB --dist D`.
The command line of nkcities/build/datapackage.py, kept here for the Makefile and the Dockerfile."""

from nkcities.build.datapackage import main

if __name__ == "__main__":
    main()
