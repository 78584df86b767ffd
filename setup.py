"""Build hook for the one compiled part: cffi's out-of-line MIT-SHM binding.

Everything else is declared in setup.cfg; setup.cfg has no key for cffi_modules.
"""
from setuptools import setup

setup(cffi_modules=["shm/_xcb_shm_build.py:ffibuilder"])
