"""Publishing: releases, their archive and repair, the release check, CSV, data package."""
