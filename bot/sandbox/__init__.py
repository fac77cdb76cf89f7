"""bot/sandbox"""
