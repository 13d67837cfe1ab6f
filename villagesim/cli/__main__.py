import sys

from villagesim.cli import main

sys.exit(main())
