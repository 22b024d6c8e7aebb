"""The computations behind Attention Lab. Never imports streamlit; torch only where a real model is needed."""
