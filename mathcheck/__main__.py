import sys
from mathcheck.cli import main
sys.exit(main())
