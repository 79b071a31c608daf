"""The visor-lasercut design, a package: model.py implements cad.contract.DesignModel."""
