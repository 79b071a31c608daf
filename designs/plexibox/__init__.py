"""The plexibox design, a package: model.py implements cad.contract.DesignModel."""
