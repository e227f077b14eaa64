//! The papers the labs implement and the data they ship, one function each,
//! for the labs' [`LabSpec::references`](crate::config::LabSpec) ("How to
//! cite" on the page). Every one is also in CITATION.cff and in the README's
//! "How to cite" (tests/citation.rs checks both). DOIs are given only where
//! they were checked against the publisher's record.

use crate::config::Reference;

// ---- lazy vs rich learning, neural collapse, self-supervised learning ----

pub fn farrell_2023() -> Reference {
    Reference::paper(
        "Farrell, M., Recanatesi, S. & Shea-Brown, E.",
        2023,
        "From lazy to rich to exclusive task representations in neural networks and neural codes",
        "Current Opinion in Neurobiology 83, 102780",
        "10.1016/j.conb.2023.102780",
    )
}

pub fn chizat_2019() -> Reference {
    Reference::paper(
        "Chizat, L., Oyallon, E. & Bach, F.",
        2019,
        "On lazy training in differentiable programming",
        "Advances in Neural Information Processing Systems 32 (NeurIPS 2019)",
        "",
    )
}

pub fn flesch_2022() -> Reference {
    Reference::paper(
        "Flesch, T., Juechems, K., Dumbalska, T., Saxe, A. & Summerfield, C.",
        2022,
        "Orthogonal representations for robust context-dependent task performance in brains and neural networks",
        "Neuron 110(7), 1258–1270",
        "10.1016/j.neuron.2022.01.005",
    )
}

pub fn papyan_2020() -> Reference {
    Reference::paper(
        "Papyan, V., Han, X. Y. & Donoho, D. L.",
        2020,
        "Prevalence of neural collapse during the terminal phase of deep learning training",
        "Proceedings of the National Academy of Sciences 117(40), 24652–24663",
        "10.1073/pnas.2015509117",
    )
}

pub fn chen_2020() -> Reference {
    Reference::paper(
        "Chen, T., Kornblith, S., Norouzi, M. & Hinton, G.",
        2020,
        "A simple framework for contrastive learning of visual representations",
        "Proceedings of the 37th International Conference on Machine Learning (ICML 2020), PMLR 119",
        "",
    )
}

pub fn bardes_2022() -> Reference {
    Reference::paper(
        "Bardes, A., Ponce, J. & LeCun, Y.",
        2022,
        "VICReg: Variance-invariance-covariance regularization for self-supervised learning",
        "International Conference on Learning Representations (ICLR 2022)",
        "",
    )
}

// ---- manifold capacity and alignment ----

pub fn chung_2018() -> Reference {
    Reference::paper(
        "Chung, S., Lee, D. D. & Sompolinsky, H.",
        2018,
        "Classification and geometry of general perceptual manifolds",
        "Physical Review X 8, 031003",
        "10.1103/PhysRevX.8.031003",
    )
}

pub fn chung_2016() -> Reference {
    Reference::paper(
        "Chung, S., Lee, D. D. & Sompolinsky, H.",
        2016,
        "Linear readout of object manifolds",
        "Physical Review E 93, 060301",
        "10.1103/PhysRevE.93.060301",
    )
}

pub fn cohen_2020() -> Reference {
    Reference::paper(
        "Cohen, U., Chung, S., Lee, D. D. & Sompolinsky, H.",
        2020,
        "Separability and geometry of object manifolds in deep neural networks",
        "Nature Communications 11, 746",
        "10.1038/s41467-020-14578-5",
    )
}

pub fn kuoch_2024() -> Reference {
    Reference::paper(
        "Kuoch, M., Chou, C.-N., Parthasarathy, N., Dapello, J., DiCarlo, J. J., Sompolinsky, H. & Chung, S.",
        2024,
        "Probing biological and artificial neural networks with task-dependent neural manifolds",
        "Conference on Parsimony and Learning (CPAL 2024), PMLR 234, 395–418",
        "",
    )
}

/// The capacity lab's real data: credit and licence travel with it.
pub fn uci_digits() -> Reference {
    Reference::data(
        "Alpaydin, E. & Kaynak, C.",
        1998,
        "Optical Recognition of Handwritten Digits",
        "UCI Machine Learning Repository; licence CC BY 4.0 (the 1,797-image set shipped with scikit-learn)",
        "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
    )
}

/// The capacity lab's fMRI recording (`task=haxby`): the study, the
/// toolbox whose copy we convert, and the data with their licence.
pub fn haxby_2001() -> Reference {
    Reference::paper(
        "Haxby, J.V., Gobbini, M.I., Furey, M.L., Ishai, A., Schouten, J.L. & Pietrini, P.",
        2001,
        "Distributed and overlapping representations of faces and objects in ventral temporal cortex",
        "Science 293(5539), 2425–2430",
        "10.1126/science.1063736",
    )
}

pub fn hanke_2009() -> Reference {
    Reference::paper(
        "Hanke, M., Halchenko, Y.O., Sederberg, P.B., Hanson, S.J., Haxby, J.V. & Pollmann, S.",
        2009,
        "PyMVPA: A Python toolbox for multivariate pattern analysis of fMRI data",
        "Neuroinformatics 7(1), 37–53",
        "10.1007/s12021-008-9041-y",
    )
}

pub fn haxby_data() -> Reference {
    Reference::data(
        "Haxby, J.V., Gobbini, M.I., Furey, M.L., Ishai, A., Schouten, J.L. & Pietrini, P.",
        2001,
        "Visual object recognition (Haxby et al. 2001), subject 1, ventral temporal cortex",
        "the subset shipped with PyMVPA (pymvpa2 2.6.5, MIT); full study OpenNeuro ds000105 (CC0); shipped here under CC BY-SA 3.0, the terms PyMVPA's data page gives",
        "https://openneuro.org/datasets/ds000105",
    )
}

// ---- trained feedback networks ----

pub fn mastrogiuseppe_2019() -> Reference {
    Reference::paper(
        "Mastrogiuseppe, F. & Ostojic, S.",
        2019,
        "A geometrical analysis of global stability in trained feedback networks",
        "Neural Computation 31(6), 1139–1182",
        "10.1162/neco_a_01187",
    )
}

pub fn rivkind_2017() -> Reference {
    Reference::paper(
        "Rivkind, A. & Barak, O.",
        2017,
        "Local dynamics in trained recurrent neural networks",
        "Physical Review Letters 118, 258101",
        "10.1103/PhysRevLett.118.258101",
    )
}

pub fn sussillo_2009() -> Reference {
    Reference::paper(
        "Sussillo, D. & Abbott, L. F.",
        2009,
        "Generating coherent patterns of activity from chaotic neural networks",
        "Neuron 63(4), 544–557",
        "10.1016/j.neuron.2009.07.018",
    )
}

// ---- modularity ----

pub fn dorrell_2025() -> Reference {
    Reference::paper(
        "Dorrell, W., Hsu, K., Hollingsworth, L., Lee, J. H., Wu, J., Finn, C., Latham, P. E., Behrens, T. E. J. & Whittington, J. C. R.",
        2025,
        "Range, not independence, drives modularity in biologically inspired representations",
        "International Conference on Learning Representations (ICLR 2025)",
        "",
    )
}

pub fn whittington_2023() -> Reference {
    Reference::paper(
        "Whittington, J. C. R., Dorrell, W., Ganguli, S. & Behrens, T. E. J.",
        2023,
        "Disentanglement with biological constraints: a theory of functional cell types",
        "International Conference on Learning Representations (ICLR 2023)",
        "",
    )
}

pub fn hsu_2023() -> Reference {
    Reference::paper(
        "Hsu, K., Dorrell, W., Whittington, J. C. R., Wu, J. & Finn, C.",
        2023,
        "Disentanglement via latent quantization",
        "Advances in Neural Information Processing Systems 36 (NeurIPS 2023)",
        "",
    )
}

// ---- credit assignment ----

pub fn marblestone_2016() -> Reference {
    Reference::paper(
        "Marblestone, A. H., Wayne, G. & Kording, K. P.",
        2016,
        "Toward an integration of deep learning and neuroscience",
        "Frontiers in Computational Neuroscience 10, 94",
        "10.3389/fncom.2016.00094",
    )
}

pub fn lillicrap_2016() -> Reference {
    Reference::paper(
        "Lillicrap, T. P., Cownden, D., Tweed, D. B. & Akerman, C. J.",
        2016,
        "Random synaptic feedback weights support error backpropagation for deep learning",
        "Nature Communications 7, 13276",
        "10.1038/ncomms13276",
    )
}

pub fn nokland_2016() -> Reference {
    Reference::paper(
        "Nøkland, A.",
        2016,
        "Direct feedback alignment provides learning in deep neural networks",
        "Advances in Neural Information Processing Systems 29 (NIPS 2016)",
        "",
    )
}

pub fn werfel_2005() -> Reference {
    Reference::paper(
        "Werfel, J., Xie, X. & Seung, H. S.",
        2005,
        "Learning curves for stochastic gradient descent in linear feedforward networks",
        "Neural Computation 17(12)",
        "",
    )
}
